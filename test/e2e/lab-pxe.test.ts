import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Lab } from '../../harness/lab/lab.ts';
import { listNetns } from '../../harness/lab/netns.ts';
import { findFetches, readAccessLog } from '../../harness/services/accessLog.ts';
import { readDhcpEvents, readTftpSends } from '../../harness/services/dnsmasq.ts';
import { hexIp } from '../../harness/scenario/topology.ts';
import { bootPxeNode } from './support/bootNode.ts';
import { initrdPath, kernelPath, pxeFixture, serialText, topologyOf } from './support/pxeFixture.ts';
import { rmSync } from 'node:fs';

const topology = topologyOf(1);
const node = topology.nodes[0]!;
let lab: Lab | undefined;
let fixtureDir: string | undefined;

afterAll(async () => {
  await lab?.down();
  if (fixtureDir) rmSync(fixtureDir, { recursive: true, force: true });
});

describe('PXE through the lab', () => {
  it('boots a VM by DHCP → pxelinux (TFTP) → pxelinux.cfg/<HEXIP> → kernel+initrd by HTTP to a console marker', async () => {
    const marker = `LAB-PXE-MARKER-${process.pid}`;
    const fx = await pxeFixture(topology, marker);
    fixtureDir = fx.dir;
    const t0 = Date.now();
    lab = await Lab.up({ topology, tftpRoot: fx.tftpRoot, mirrorMounts: fx.mounts, logDir: join(fx.dir, 'logs') });
    const tUp = Date.now() - t0;
    const { qemu, serialLog } = bootPxeNode(lab, node, fx.dir, 512);
    const exit = await Promise.race([
      qemu.exited,
      new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 180_000)),
    ]);
    const tBoot = Date.now() - t0 - tUp;
    console.log(`lab up ${tUp} ms; PXE boot to marker and exit ${tBoot} ms`);
    const serial = serialText(serialLog);
    expect(exit, `QEMU did not finish; serial tail:\n${serial.slice(-2000)}`).not.toBe('timeout');
    expect(serial).toContain(marker);
    expect(serial).toMatch(new RegExp(`${marker} cmdline: .*ignition\\.config\\.url=http://10\\.0\\.0\\.5:8080/ignition/node-1-ignite-pxe\\.ign`));

    // DHCP: dnsmasq answered this MAC with its static address.
    const dhcp = readDhcpEvents(lab.dnsmasqLog);
    expect(dhcp.some((e) => e.kind === 'DHCPACK' && e.mac === node.mac && e.ip === node.ip)).toBe(true);
    // TFTP: pxelinux.0, then its config by upper-case hex address.
    const sent = readTftpSends(lab.dnsmasqLog).filter((s) => s.clientIp === node.ip);
    expect(sent.map((s) => s.file)).toEqual(
      expect.arrayContaining([join(fx.tftpRoot, 'pxelinux.0'), join(fx.tftpRoot, 'pxelinux.cfg', hexIp(node.ip))]),
    );
    // HTTP: the kernel and initrd came from the mirror, whole, to the VM's address.
    const log = readAccessLog(lab.accessLog);
    const kernel = findFetches(log, { clientIp: node.ip, path: kernelPath });
    const initrd = findFetches(log, { clientIp: node.ip, path: initrdPath });
    expect(kernel.at(-1)?.bytes).toBe(fx.kernelBytes);
    expect(initrd.at(-1)?.bytes).toBe(fx.initrdBytes);

    const runDir = lab.runDir;
    const netns = lab.netns;
    await lab.down();
    lab = undefined;
    expect(qemu.alive()).toBe(false);
    expect(await listNetns()).not.toContain(netns);
    expect(existsSync(runDir)).toBe(false);
    // Logs asked for in logDir survive teardown, for the report.
    expect(existsSync(join(fx.dir, 'logs', 'dnsmasq.log'))).toBe(true);
    expect(existsSync(join(fx.dir, 'logs', 'access.log'))).toBe(true);
  });
});
