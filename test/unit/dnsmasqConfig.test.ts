import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dnsmasqConfig, netmaskOf, networkOf, type DnsmasqSettings } from '../../harness/services/dnsmasqConfig.ts';
import { readDhcpEvents, readTftpSends } from '../../harness/services/dnsmasq.ts';

const base: DnsmasqSettings = {
  interface: 'lb-0123abcd',
  serverIp: '10.0.0.5',
  prefix: 24,
  nodes: [
    { name: 'node-1', mac: '52:54:00:00:00:46', ip: '10.0.0.70' },
    { name: 'node-2', mac: '52:54:00:00:00:47', ip: '10.0.0.71' },
  ],
  tftpRoot: '/srv/tftp',
  logFile: '/run/x/dnsmasq.log',
  leaseFile: '/run/x/leases',
  ipv6RaPrefix: 'fd00:1ab::',
};

const lines = (s: DnsmasqSettings) => dnsmasqConfig(s).split('\n');

describe('dnsmasqConfig', () => {
  it('answers only the scenario MACs, with static leases, on the lab bridge', () => {
    const l = lines(base);
    expect(l).toContain('interface=lb-0123abcd');
    expect(l).toContain('bind-interfaces');
    expect(l).toContain('dhcp-range=10.0.0.0,static,255.255.255.0,1h');
    expect(l).toContain('dhcp-ignore=tag:!known');
    expect(l).toContain('dhcp-host=52:54:00:00:00:46,10.0.0.70,node-1');
    expect(l).toContain('dhcp-host=52:54:00:00:00:47,10.0.0.71,node-2');
  });

  it('keeps DNS off; the router option names the lab server, or is empty on an air-gapped segment', () => {
    const l = lines(base);
    expect(l).toContain('port=0');
    expect(l).toContain('dhcp-option=option:router');
    expect(lines({ ...base, router: '10.0.0.5' })).toContain('dhcp-option=option:router,10.0.0.5');
    expect(lines({ ...base, router: '10.0.0.5' })).not.toContain('dhcp-option=option:router');
    expect(l).toContain('dhcp-option=option:dns-server');
    expect(lines({ ...base, dns: true })).not.toContain('port=0');
  });

  it('serves the TFTP root with pxelinux and tells iPXE not to wait for ProxyDHCP', () => {
    const l = lines(base);
    expect(l).toEqual(expect.arrayContaining(['enable-tftp', 'tftp-root=/srv/tftp', 'dhcp-boot=pxelinux.0', 'dhcp-option=encap:175,176,1b']));
    const noTftp = lines({ ...base, tftpRoot: undefined });
    expect(noTftp.some((x) => x.startsWith('tftp') || x === 'enable-tftp' || x.startsWith('dhcp-boot'))).toBe(false);
  });

  it('router advertisements carry lifetime 0', () => {
    expect(lines(base)).toEqual(expect.arrayContaining(['enable-ra', 'dhcp-range=fd00:1ab::,ra-only,64', 'ra-param=lb-0123abcd,10,0']));
  });

  it('rejects nodes that would break the lab', () => {
    const n = base.nodes[0]!;
    expect(() => dnsmasqConfig({ ...base, nodes: [{ ...n, ip: '10.0.1.70' }] })).toThrow(/not in 10\.0\.0\.0\/24/);
    expect(() => dnsmasqConfig({ ...base, nodes: [{ ...n, mac: '52:54:00:00:00:4G' }] })).toThrow(/MAC/);
    expect(() => dnsmasqConfig({ ...base, nodes: [{ ...n, ip: '10.0.0.5' }] })).toThrow(/server's own/);
    expect(() => dnsmasqConfig({ ...base, nodes: [n, { ...n, name: 'node-9', ip: '10.0.0.99' }] })).toThrow(/used twice/);
  });

  it('is accepted by the real dnsmasq (--test)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnsmasq-conf-'));
    try {
      const conf = join(dir, 'dnsmasq.conf');
      writeFileSync(conf, dnsmasqConfig({ ...base, tftpRoot: dir, logFile: join(dir, 'log'), leaseFile: join(dir, 'leases') }));
      const r = await execa('dnsmasq', ['--test', `--conf-file=${conf}`], { reject: false });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/syntax check OK/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('computes masks and networks', () => {
    expect(netmaskOf(24)).toBe('255.255.255.0');
    expect(netmaskOf(20)).toBe('255.255.240.0');
    expect(networkOf('10.0.13.77', 20)).toBe('10.0.0.0');
    expect(() => netmaskOf(31)).toThrow();
  });
});

describe('dnsmasq log readers', () => {
  it('reads DHCP exchanges and TFTP sends', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnsmasq-log-'));
    try {
      const log = join(dir, 'log');
      writeFileSync(
        log,
        [
          'Nov 25 18:26:38 dnsmasq-dhcp[1]: 1425 available DHCP subnet: 10.0.0.0/255.255.255.0',
          'Nov 25 18:26:38 dnsmasq-dhcp[1]: 1425 DHCPDISCOVER(lb-9cd4445a) 52:54:00:00:00:46 ',
          'Nov 25 18:26:38 dnsmasq-dhcp[1]: 1425 DHCPOFFER(lb-9cd4445a) 10.0.0.70 52:54:00:00:00:46 ',
          'Nov 25 18:26:38 dnsmasq-dhcp[1]: 1425 DHCPACK(lb-9cd4445a) 10.0.0.70 52:54:00:00:00:46 node-1',
          'Nov 25 18:26:38 dnsmasq-tftp[1]: sent /srv/tftp/pxelinux.0 to 10.0.0.70',
        ].join('\n'),
      );
      expect(readDhcpEvents(log)).toEqual([
        { time: 'Nov 25 18:26:38', kind: 'DHCPDISCOVER', mac: '52:54:00:00:00:46', ip: undefined },
        { time: 'Nov 25 18:26:38', kind: 'DHCPOFFER', mac: '52:54:00:00:00:46', ip: '10.0.0.70' },
        { time: 'Nov 25 18:26:38', kind: 'DHCPACK', mac: '52:54:00:00:00:46', ip: '10.0.0.70' },
      ]);
      expect(readTftpSends(log)).toEqual([{ file: '/srv/tftp/pxelinux.0', clientIp: '10.0.0.70' }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
