import { execa } from 'execa';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Lab } from '../../harness/lab/lab.ts';
import { labNames } from '../../harness/lab/names.ts';
import { listNetns } from '../../harness/lab/netns.ts';
import { reapStaleRuns } from '../../harness/lab/reap.ts';
import { isAlive, procId } from '../../harness/lab/procs.ts';
import { readRun, runDir } from '../../harness/lab/state.ts';
import { pidsSharingNetns } from '../../harness/lab/userns.ts';
import { projectRoot } from '../../harness/paths.ts';
import { findFetches, readAccessLog } from '../../harness/services/accessLog.ts';
import { bootPxeNode, waitForConsole } from './support/bootNode.ts';
import { kernelPath, pxeFixture, topologyOf, type PxeFixture } from './support/pxeFixture.ts';

// Rootless mode forced while running as root: the user-namespace mechanism is the same one a
// non-root user gets. (A real non-root run also needs /dev/net/tun usable by that user; on this
// machine it is 0600 root, so taps cannot be created by anyone else.)
const topology = topologyOf(1);
const node = topology.nodes[0]!;
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
let lab: Lab | undefined;
const fixtures: PxeFixture[] = [];
const dirs: string[] = [];

afterAll(async () => {
  await lab?.down();
  for (const f of fixtures) rmSync(f.dir, { recursive: true, force: true });
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await reapStaleRuns(); // a run left by a failed kill -9 test
});

describe('rootless lab (user namespace)', () => {
  it('PXE-boots a VM through a lab held by a user namespace, with no named namespace', async () => {
    const fx = await pxeFixture(topology, `ROOTLESS-${process.pid}`);
    fixtures.push(fx);
    lab = await Lab.up({ topology, tftpRoot: fx.tftpRoot, mirrorMounts: fx.mounts, logDir: join(fx.dir, 'logs'), rootless: true });
    expect(lab.holder).toBeDefined();
    expect(lab.nsenterCommand).toBe(`nsenter --target ${lab.holder!.pid} --user --net --preserve-credentials`);
    expect(await listNetns()).not.toContain(lab.netns);
    const links = await execa('sh', ['-c', `${lab.nsenterCommand} ip -br link`]);
    expect(links.stdout).toContain(lab.names.bridge);

    const vm = bootPxeNode(lab, node, fx.dir);
    await waitForConsole(vm.serialLog, fx.marker, 120_000);
    await vm.qemu.exited;
    expect(findFetches(readAccessLog(lab.accessLog), { clientIp: node.ip, path: kernelPath }).at(-1)?.bytes).toBe(fx.kernelBytes);

    const holder = lab.holder!;
    const inside = pidsSharingNetns(holder.pid).map((pid) => procId(pid));
    expect(inside.length).toBeGreaterThanOrEqual(3); // holder, dnsmasq, mirror
    await lab.down();
    lab = undefined;
    expect(isAlive(holder)).toBe(false);
    for (const p of inside) expect(isAlive(p), `pid ${p.pid} survived teardown`).toBe(false);
  });

  it('a kill -9 of a rootless run is reaped by `lab clean`', async () => {
    const child = execa(process.execPath, ['--import', tsx, join(projectRoot, 'test/e2e/support/labDriver.ts'), 'wait'], {
      cwd: projectRoot,
      reject: false,
      env: { ...process.env, LAB_ROOTLESS: '1' },
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    const deadline = Date.now() + 180_000;
    let fixtureSeen = false;
    while (!/^ready [0-9a-f]{8}$/m.test(out)) {
      if (!fixtureSeen && /^fixture (\S+)$/m.test(out)) fixtureSeen = dirs.push(/^fixture (\S+)$/m.exec(out)![1]!) > 0;
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`driver never got ready:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const runId = /^ready ([0-9a-f]{8})$/m.exec(out)![1]!;
    if (!fixtureSeen) dirs.push(/^fixture (\S+)$/m.exec(out)![1]!);
    const procs = readRun(runId).procs;
    expect(procs.map((p) => p.name).sort()).toEqual(['dnsmasq', 'mirror', 'netns-holder', 'qemu-node-1']);
    child.kill('SIGKILL');
    await child;
    await new Promise((r) => setTimeout(r, 1000));
    // The helpers died with their owner (parent-death signal); the holder keeps the namespace, as a
    // named namespace stays after a kill -9, until `lab clean`.
    for (const p of procs) expect(isAlive(p.proc), `${p.name} alive after its owner's kill -9`).toBe(p.name === 'netns-holder');

    const clean = await execa(process.execPath, ['--import', tsx, join(projectRoot, 'harness/cli.ts'), 'clean'], { cwd: projectRoot, reject: false });
    expect(clean.exitCode).toBe(0);
    expect(clean.stdout).toContain(`run ${runId}`);
    for (const p of procs) expect(isAlive(p.proc), `${p.name} still running`).toBe(false);
    expect(existsSync(runDir(runId))).toBe(false);
    expect(await listNetns()).not.toContain(labNames(runId).netns);
  });
});
