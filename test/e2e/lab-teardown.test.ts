import { execa, type ResultPromise } from 'execa';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Lab } from '../../harness/lab/lab.ts';
import { labNames } from '../../harness/lab/names.ts';
import { listNetns } from '../../harness/lab/netns.ts';
import { reapStaleRuns } from '../../harness/lab/reap.ts';
import { isAlive, type ProcId } from '../../harness/lab/procs.ts';
import { readRun, runDir } from '../../harness/lab/state.ts';
import { projectRoot } from '../../harness/paths.ts';
import { topologyOf } from './support/pxeFixture.ts';

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const driverScript = join(projectRoot, 'test/e2e/support/labDriver.ts');

interface Driver {
  child: ResultPromise;
  runId: string;
  fixtureDir: string;
  procs: { name: string; proc: ProcId }[];
}

const fixtures: string[] = [];
afterEach(async () => {
  for (const d of fixtures.splice(0)) rmSync(d, { recursive: true, force: true });
  // If a test failed between kill -9 and clean, its run must not outlive the test file.
  await reapStaleRuns();
});

/** Starts the driver in its own process and waits until its VM is up on the lab network. */
async function startDriver(mode: 'normal' | 'wait'): Promise<Driver> {
  const child = execa(process.execPath, ['--import', tsx, driverScript, mode], { cwd: projectRoot, reject: false, buffer: true, cleanup: true });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const deadline = Date.now() + 180_000;
  let fixtureDir = '';
  while (!/^ready [0-9a-f]{8}$/m.test(out)) {
    // Known as soon as printed, so afterEach removes it even if the driver never gets ready.
    if (!fixtureDir && /^fixture (\S+)$/m.test(out)) fixtures.push((fixtureDir = /^fixture (\S+)$/m.exec(out)![1]!));
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`driver never got ready:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const runId = /^ready ([0-9a-f]{8})$/m.exec(out)![1]!;
  if (!fixtureDir) fixtures.push((fixtureDir = /^fixture (\S+)$/m.exec(out)![1]!));
  const procs = mode === 'wait' ? readRun(runId).procs : [];
  return { child, runId, fixtureDir, procs };
}

async function hostLinks(): Promise<string> {
  return (await execa('ip', ['-o', 'link', 'show'])).stdout;
}

/** What must be true of a live run, so the "gone" checks below could fail. */
async function expectAlive(d: Driver): Promise<void> {
  expect(d.procs.map((p) => p.name).sort()).toEqual(['dnsmasq', 'mirror', 'qemu-node-1']);
  for (const p of d.procs) expect(isAlive(p.proc), `${p.name} alive`).toBe(true);
  expect(await listNetns()).toContain(labNames(d.runId).netns);
  expect(existsSync(runDir(d.runId))).toBe(true);
}

/** After a kill -9 of the owner: its processes died with it (parent-death signal), the namespace and run record are left. */
async function expectOrphaned(d: Driver): Promise<void> {
  for (const p of d.procs) expect(isAlive(p.proc), `${p.name} (${p.proc.pid}) outlived its owner`).toBe(false);
  expect(await listNetns()).toContain(labNames(d.runId).netns);
  expect(existsSync(runDir(d.runId))).toBe(true);
}

async function expectGone(runId: string, procs: { name: string; proc: ProcId }[]): Promise<void> {
  for (const p of procs) expect(isAlive(p.proc), `${p.name} (${p.proc.pid}) still running`).toBe(false);
  expect(await listNetns()).not.toContain(labNames(runId).netns);
  expect(existsSync(`/run/netns/${labNames(runId).netns}`)).toBe(false);
  expect(existsSync(runDir(runId))).toBe(false);
  // Bridge and taps lived in the namespace; none may have leaked into the host's.
  expect(await hostLinks()).not.toContain(runId);
}

describe('lab teardown', () => {
  it('leaves nothing after a normal run', async () => {
    const d = await startDriver('normal');
    const r = await d.child;
    expect(r.exitCode).toBe(0);
    expect(String(r.stdout)).toMatch(/^down$/m);
    await expectGone(d.runId, []);
  });

  it('leaves nothing after SIGINT mid-run (VM up, services serving)', async () => {
    const d = await startDriver('wait');
    await expectAlive(d);
    d.child.kill('SIGINT');
    const r = await d.child;
    expect(r.exitCode).toBe(130);
    expect(String(r.stderr)).toContain('SIGINT: tearing the lab down');
    await expectGone(d.runId, d.procs);
  });

  it('after kill -9 its processes die with it, the run is left behind, and `lab clean` removes all of it', async () => {
    const d = await startDriver('wait');
    await expectAlive(d);
    d.child.kill('SIGKILL');
    await d.child;
    // Nobody tore down: the processes went with their owner, the rest is still there.
    await new Promise((r) => setTimeout(r, 1000));
    await expectOrphaned(d);
    const clean = await execa(process.execPath, ['--import', tsx, join(projectRoot, 'harness/cli.ts'), 'clean'], { cwd: projectRoot, reject: false });
    expect(clean.exitCode).toBe(0);
    expect(clean.stdout).toContain(`run ${d.runId}: namespace deleted`);
    await expectGone(d.runId, d.procs);
  });

  it('the next lab to start reaps a killed run', async () => {
    const d = await startDriver('wait');
    d.child.kill('SIGKILL');
    await d.child;
    await new Promise((r) => setTimeout(r, 1000));
    await expectOrphaned(d);
    const next = await Lab.up({ topology: topologyOf(1), noDhcp: true });
    try {
      await expectGone(d.runId, d.procs);
    } finally {
      await next.down();
    }
    await expectGone(next.runId, []);
  });
});
