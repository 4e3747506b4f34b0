import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHelper, waitUntilReady, type Helper } from '../lab/helper.ts';
import { dnsmasqConfig, type DnsmasqSettings } from './dnsmasqConfig.ts';

export interface DnsmasqRun {
  helper: Helper;
  configFile: string;
  logFile: string;
}

function logText(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/**
 * Starts Debian's dnsmasq in the lab namespace, in the foreground (so the pid we record is the
 * daemon's), and waits until it has opened its DHCP socket — or fails with its last log lines.
 */
export async function startDnsmasq(opts: {
  netns: string;
  runDir: string;
  settings: Omit<DnsmasqSettings, 'leaseFile'>;
  timeoutMs?: number;
}): Promise<DnsmasqRun> {
  const configFile = join(opts.runDir, 'dnsmasq.conf');
  const settings: DnsmasqSettings = { ...opts.settings, leaseFile: join(opts.runDir, 'dnsmasq.leases') };
  writeFileSync(configFile, dnsmasqConfig(settings));
  const outputFile = join(opts.runDir, 'dnsmasq.out');
  const helper = startHelper({
    name: 'dnsmasq',
    netns: opts.netns,
    runDir: opts.runDir,
    cmd: 'dnsmasq',
    args: ['--keep-in-foreground', `--conf-file=${configFile}`, `--pid-file=${join(opts.runDir, 'dnsmasq.pid')}`],
    outputFile,
  });
  const readyLine = settings.nodes.length > 0 ? /DHCP, sockets bound exclusively|DHCP, static leases only/ : /started, version/;
  await waitUntilReady(helper, 'dnsmasq to bind its DHCP socket', () => readyLine.test(logText(settings.logFile)), {
    timeoutMs: opts.timeoutMs ?? 10_000,
    describeFailure: () => (logText(outputFile) + logText(settings.logFile)).trim().split('\n').slice(-3).join(' | '),
  });
  return { helper, configFile, logFile: settings.logFile };
}

export interface DhcpEvent {
  time?: string;
  kind: 'DHCPDISCOVER' | 'DHCPOFFER' | 'DHCPREQUEST' | 'DHCPACK' | 'DHCPNAK';
  mac: string;
  ip?: string;
}

/** DHCP exchanges from dnsmasq's log, for phase `dhcp` ("node-2 got 10.0.0.71"). */
export function readDhcpEvents(logFile: string): DhcpEvent[] {
  const events: DhcpEvent[] = [];
  for (const line of logText(logFile).split('\n')) {
    const m = /^(\w{3} +\d+ [\d:]+)? ?dnsmasq-dhcp\[\d+\]: (?:\d+ )?(DHCPDISCOVER|DHCPOFFER|DHCPREQUEST|DHCPACK|DHCPNAK)\([^)]*\) (?:(\d+\.\d+\.\d+\.\d+) )?([0-9a-f:]{17})/.exec(line);
    if (m) events.push({ time: m[1], kind: m[2] as DhcpEvent['kind'], ip: m[3], mac: m[4]! });
  }
  return events;
}

/** Files the TFTP server sent, from dnsmasq's log ("sent /…/pxelinux.0 to 10.0.0.70"). */
export function readTftpSends(logFile: string): { file: string; clientIp: string }[] {
  const sends: { file: string; clientIp: string }[] = [];
  for (const line of logText(logFile).split('\n')) {
    const m = /dnsmasq-tftp\[\d+\]: sent (\S+) to (\d+\.\d+\.\d+\.\d+)/.exec(line);
    if (m) sends.push({ file: m[1]!, clientIp: m[2]! });
  }
  return sends;
}
