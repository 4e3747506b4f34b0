import { execa } from 'execa';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasNetem } from '../../harness/lab/faults.ts';
import { Lab } from '../../harness/lab/lab.ts';
import { bootPxeNode, waitForConsole } from './support/bootNode.ts';
import { pxeFixture, topologyOf, type PxeFixture } from './support/pxeFixture.ts';

const topology = topologyOf(1);
const node = topology.nodes[0]!;
let lab: Lab | undefined;
let fx: PxeFixture | undefined;

afterAll(async () => {
  await lab?.down();
  if (fx) rmSync(fx.dir, { recursive: true, force: true });
});

interface PingResult {
  received: number;
  minMs?: number;
}

/** busybox ping from the server address to the node (ICMP echo is answered by the guest kernel). */
async function ping(count: number, intervalS = 1): Promise<PingResult> {
  const r = await execa('ip', ['netns', 'exec', lab!.netns, 'busybox', 'ping', '-c', String(count), '-i', String(intervalS), '-W', '2', node.ip], {
    reject: false,
  });
  const received = Number(/(\d+) packets received/.exec(r.stdout)?.[1] ?? 0);
  const min = /min\/avg\/max = ([\d.]+)\//.exec(r.stdout)?.[1];
  return { received, minMs: min === undefined ? undefined : Number(min) };
}

async function pingUntilAnswered(timeoutMs: number): Promise<PingResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await ping(1);
    if (r.received > 0 || Date.now() > deadline) return r;
  }
}

describe('link faults', () => {
  it('delay, loss and link down/up on a node tap change what the node sees', async () => {
    fx = await pxeFixture(topology, `FAULTS-${process.pid}`, 'stay', true);
    lab = await Lab.up({ topology, tftpRoot: fx.tftpRoot, mirrorMounts: fx.mounts, logDir: join(fx.dir, 'logs') });
    const vm = bootPxeNode(lab, node, fx.dir);
    await waitForConsole(vm.serialLog, fx.marker, 120_000);

    const base = await pingUntilAnswered(10_000);
    expect(base.received).toBe(1);
    const normal = await ping(3);
    expect(normal.received).toBe(3);
    expect(normal.minMs!).toBeLessThan(150);

    const tap = lab.tapOf(node.name);
    if (await hasNetem(lab.netns, tap)) {
      expect(await lab.impair(node.name, { delayMs: 400 })).toBe('netem');
      expect((await execa('ip', ['netns', 'exec', lab.netns, 'tc', 'qdisc', 'show', 'dev', tap])).stdout).toMatch(/netem .*delay 400ms/);
      const delayed = await ping(3);
      expect(delayed.received).toBe(3);
      expect(delayed.minMs!).toBeGreaterThanOrEqual(400);
    } else {
      // This kernel has no sch_netem: delay must be refused with the reason, not silently ignored.
      await expect(lab.impair(node.name, { delayMs: 400 })).rejects.toThrow(/sch_netem/);
    }

    await lab.impair(node.name, { lossPercent: 100 });
    expect((await ping(3)).received).toBe(0);

    // 50 % loss towards the node: some echo replies come back, not all (P(0 or 30 of 30) ≈ 2e-9).
    await lab.impair(node.name, { lossPercent: 50 });
    const half = await ping(30, 0.1);
    expect(half.received).toBeGreaterThan(0);
    expect(half.received).toBeLessThan(30);

    await lab.clearImpairment(node.name);
    const restored = await pingUntilAnswered(5_000);
    expect(restored.received).toBe(1);
    expect(restored.minMs!).toBeLessThan(150);

    expect((await execa('ip', ['netns', 'exec', lab.netns, 'nft', 'list', 'ruleset'])).stdout).not.toContain('fault_');

    await lab.linkDown(node.name);
    expect((await execa('ip', ['netns', 'exec', lab.netns, 'ip', '-o', 'link', 'show', tap])).stdout).toMatch(/state DOWN/);
    expect((await ping(2)).received).toBe(0);
    await lab.linkUp(node.name);
    expect((await pingUntilAnswered(10_000)).received).toBe(1);

    // Partition and DHCP silence are nftables tables in the lab's namespace: real nft takes them,
    // healing removes them (partition-heal shows what the partition does to a cluster).
    const ruleset = async () => (await execa('ip', ['netns', 'exec', lab!.netns, 'nft', 'list', 'ruleset'])).stdout;
    await lab.partition([node.name], [node.name]);
    await lab.silenceDhcp(node.name);
    expect(await ruleset()).toMatch(/table bridge fkl_partition[\s\S]*table bridge fkl_dhcp_/);
    await lab.healPartition();
    await lab.restoreDhcp(node.name);
    expect(await ruleset()).not.toMatch(/fkl_partition|fkl_dhcp_/);

    await lab.down();
    lab = undefined;
    expect(vm.qemu.alive()).toBe(false);
  });
});
