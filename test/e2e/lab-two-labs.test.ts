import { execa } from 'execa';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Lab } from '../../harness/lab/lab.ts';
import { listNetns } from '../../harness/lab/netns.ts';
import { findFetches, readAccessLog } from '../../harness/services/accessLog.ts';
import { readDhcpEvents } from '../../harness/services/dnsmasq.ts';
import { bootPxeNode, waitForConsole } from './support/bootNode.ts';
import { kernelPath, pxeFixture, topologyOf, type PxeFixture } from './support/pxeFixture.ts';

// Same topology twice: same server address, same node MAC and IP. Only the namespaces differ.
const topology = topologyOf(1);
const node = topology.nodes[0]!;
const labs: Lab[] = [];
const fixtures: PxeFixture[] = [];

afterAll(async () => {
  await Promise.allSettled(labs.map((l) => l.down()));
  for (const f of fixtures) rmSync(f.dir, { recursive: true, force: true });
});

describe('two labs at once', () => {
  it('run side by side with the same addresses and each VM boots from its own lab', async () => {
    for (const name of ['a', 'b']) {
      const fx = await pxeFixture(topology, `TWO-LABS-${name.toUpperCase()}-${process.pid}`);
      fixtures.push(fx);
      writeFileSync(join(fx.dir, 'release', 'whoami.txt'), `lab ${name}\n`);
      labs.push(await Lab.up({ topology, tftpRoot: fx.tftpRoot, mirrorMounts: fx.mounts, logDir: join(fx.dir, 'logs') }));
    }
    const [a, b] = labs as [Lab, Lab];
    expect(a.netns).not.toBe(b.netns);
    expect(a.names.bridge).not.toBe(b.names.bridge);
    expect(a.tapOf(node.name)).not.toBe(b.tapOf(node.name));
    expect(a.mirrorUrl).toBe(b.mirrorUrl);

    // 10.0.0.5:8080 answers with each lab's own content.
    for (const [i, lab] of labs.entries()) {
      const r = await execa('ip', ['netns', 'exec', lab.netns, 'curl', '-sS', `${lab.mirrorUrl}/flatcar/amd64-usr/0.0.0-pxe-test/whoami.txt`]);
      expect(r.stdout).toBe(`lab ${i === 0 ? 'a' : 'b'}`);
    }

    const vms = labs.map((lab, i) => bootPxeNode(lab, node, fixtures[i]!.dir, 256));
    await Promise.all(vms.map((vm, i) => waitForConsole(vm.serialLog, fixtures[i]!.marker, 180_000)));
    await Promise.all(vms.map((vm) => vm.qemu.exited));

    for (const [i, lab] of labs.entries()) {
      const other = fixtures[1 - i]!;
      expect(readAccessLog(lab.accessLog).length).toBeGreaterThan(0);
      expect(findFetches(readAccessLog(lab.accessLog), { clientIp: node.ip, path: kernelPath })).toHaveLength(1);
      expect(readDhcpEvents(lab.dnsmasqLog).filter((e) => e.kind === 'DHCPACK' && e.mac === node.mac)).toHaveLength(1);
      // Each VM saw only its own lab's marker.
      expect(vms[i]!.serialLog).not.toBe(vms[1 - i]!.serialLog);
      expect((await execa('cat', [vms[i]!.serialLog])).stdout).not.toContain(other.marker);
    }

    const names = labs.map((l) => l.netns);
    await Promise.all(labs.map((l) => l.down()));
    labs.length = 0;
    const left = await listNetns();
    for (const n of names) expect(left).not.toContain(n);
  });
});
