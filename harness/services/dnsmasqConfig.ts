import type { NodeSpec } from '../scenario/topology.ts';
import { pxelinuxLoaderName } from './pxelinux.ts';

export interface DnsmasqSettings {
  /** The lab bridge: dnsmasq binds there only. */
  interface: string;
  serverIp: string;
  prefix: number;
  /** Only these MACs get an answer, each always the same address. */
  nodes: Pick<NodeSpec, 'name' | 'mac' | 'ip'>[];
  /** TFTP root laid out like the seed's /var/lib/tftp; no TFTP when absent. */
  tftpRoot?: string;
  /** First file a PXE client loads, relative to the TFTP root. */
  bootFile?: string;
  logFile: string;
  leaseFile: string;
  /** The router option: the nodes' default route. Absent: an empty router option, so no default route. */
  router?: string;
  /** DNS stays off (port 0) unless a scenario asks for it. */
  dns?: boolean;
  /**
   * IPv6 prefix (`fd00:1ab::`, /64) to announce in router advertisements. iPXE waits ~16 s for
   * an RA on every PXE boot when none comes; this ends the wait. Router lifetime 0: nobody
   * is told there is a router, and the addresses made from it reach nothing but the lab.
   */
  ipv6RaPrefix?: string;
}

export function netmaskOf(prefix: number): string {
  if (!Number.isInteger(prefix) || prefix < 8 || prefix > 30) throw new Error(`lab subnet prefix must be 8..30, got /${prefix}`);
  const bits = (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (bits >>> s) & 0xff).join('.');
}

export function networkOf(ip: string, prefix: number): string {
  const mask = netmaskOf(prefix).split('.').map(Number);
  return ip
    .split('.')
    .map((o, i) => Number(o) & mask[i]!)
    .join('.');
}

function checkNodes(s: DnsmasqSettings): void {
  const net = networkOf(s.serverIp, s.prefix);
  const seen = new Set<string>();
  for (const n of s.nodes) {
    if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(n.mac)) throw new Error(`node ${n.name}: MAC must be lower-case aa:bb:cc:dd:ee:ff, got ${n.mac}`);
    if (networkOf(n.ip, s.prefix) !== net) throw new Error(`node ${n.name}: ${n.ip} is not in ${net}/${s.prefix}`);
    if (n.ip === s.serverIp) throw new Error(`node ${n.name}: ${n.ip} is the server's own address`);
    for (const key of [n.mac, n.ip, n.name]) {
      if (seen.has(key)) throw new Error(`node ${n.name}: ${key} is used twice`);
      seen.add(key);
    }
  }
}

/**
 * dnsmasq's configuration file for one lab, as text. Pure: same settings, same text, so a test
 * can read exactly what the daemon is told.
 */
export function dnsmasqConfig(s: DnsmasqSettings): string {
  checkNodes(s);
  const lines = [
    '# written by flatcar-k3s-lab; one lab, one bridge',
    s.dns ? '# DNS on: answers from the lab only' : 'port=0',
    `interface=${s.interface}`,
    'bind-interfaces',
    'no-resolv',
    'no-hosts',
    // Stay root: the TFTP tree and logs are in root-only run directories, and the namespace is private.
    'user=root',
    // Empty: no group change at all. Debian's default (`dip`) needs setgroups(), which a rootless
    // lab's user namespace denies.
    'group=',
    `log-facility=${s.logFile}`,
    'log-dhcp',
    `dhcp-leasefile=${s.leaseFile}`,
    // `static`: addresses come only from dhcp-host lines; unknown MACs get no answer at all.
    `dhcp-range=${networkOf(s.serverIp, s.prefix)},static,${netmaskOf(s.prefix)},1h`,
    'dhcp-ignore=tag:!known',
    'dhcp-authoritative',
    // The lab server as router when asked (harness/lab/egress.ts keeps routed traffic in), else an
    // empty router option; no DNS server option: names are not resolved outside the lab.
    s.router ? `dhcp-option=option:router,${s.router}` : 'dhcp-option=option:router',
    ...(s.dns ? [] : ['dhcp-option=option:dns-server']),
    ...s.nodes.map((n) => `dhcp-host=${n.mac},${n.ip},${n.name}`),
  ];
  if (s.ipv6RaPrefix) {
    lines.push('enable-ra', `dhcp-range=${s.ipv6RaPrefix},ra-only,64`, `ra-param=${s.interface},10,0`);
  }
  if (s.tftpRoot) {
    lines.push(
      'enable-tftp',
      `tftp-root=${s.tftpRoot}`,
      `dhcp-boot=${s.bootFile ?? pxelinuxLoaderName}`,
      // iPXE option 175.176 (no-pxedhcp): skip the 3 s wait for a ProxyDHCP offer that never comes.
      'dhcp-option=encap:175,176,1b',
    );
  }
  return lines.join('\n') + '\n';
}
