import { execa, type ResultPromise } from 'execa';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../harness/paths.ts';
import { footprintOf, leftOf, type Footprint } from './support/runFootprint.ts';

/**
 * The ways a run is stopped besides a polite Ctrl-C, through the wrapper people type
 * (`npm run scenario …`): each must leave nothing of the run behind. The run is stopped while
 * its node is PXE-booting, so QEMU, dnsmasq, the mirror and the probe are all up.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Started {
  npm: ResultPromise;
  harness: number;
  footprint: Footprint;
  output: () => string;
}

/** `npm run scenario single-node` in its own process group (as a terminal's job), up to the node's PXE config. */
async function startRun(): Promise<Started> {
  const npm = execa('npm', ['run', '-s', 'scenario', 'single-node'], { cwd: projectRoot, reject: false, all: true, detached: true });
  let out = '';
  npm.all!.on('data', (d: Buffer) => (out += d.toString()));
  let ended = false;
  void npm.then(() => (ended = true));
  const deadline = Date.now() + 180_000;
  while (!/node-1 → pxe-config/.test(out)) {
    if (ended || Date.now() > deadline) throw new Error(`the run never reached pxe-config:\n${out.slice(-2000)}`);
    await sleep(200);
  }
  const children = (await execa('pgrep', ['-P', String(npm.pid)], { reject: false })).stdout.split('\n').filter(Boolean).map(Number);
  // The npm script execs node: the harness is npm's own child, with no sh or tsx process between.
  expect(children).toHaveLength(1);
  const harness = children[0]!;
  const footprint = await footprintOf(harness);
  expect(footprint.procs.map((p) => p.cmdline).join('\n')).toMatch(/qemu-system-x86_64/);
  expect(footprint.procs.map((p) => p.cmdline).join('\n')).toMatch(/dnsmasq/);
  expect(footprint.marks.length).toBeGreaterThanOrEqual(2);
  return { npm, harness, footprint, output: () => out };
}

async function gone(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await sleep(100);
  }
  return false;
}

describe('stopping a run by signal leaves nothing behind', () => {
  it('Ctrl-C to the job, then the terminal hangs up during the teardown', async () => {
    const run = await startRun();
    // What a terminal does: SIGINT to the foreground job's process group, then, as the pane
    // closes, SIGHUP to it: npm dies of the hangup, the harness hears both signals.
    process.kill(-run.npm.pid!, 'SIGINT');
    // The teardown of a lab at pxe-config takes a few hundred ms: the hangup lands inside it.
    await sleep(20);
    let hungUp = false;
    try {
      process.kill(-run.npm.pid!, 'SIGHUP');
      hungUp = true;
    } catch (e) {
      // The whole job already ended within the 20 ms: nothing left to hang up on; the checks below still hold.
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
      console.log('the job had ended before the hangup');
    }
    expect(await gone(run.harness, 90_000)).toBe(true);
    await run.npm;
    expect(await leftOf(run.footprint)).toEqual([]);
    expect(run.output()).toMatch(/lab: SIGINT: tearing the lab down/);
    if (hungUp) expect(run.output()).toMatch(/lab: SIGHUP during teardown: finishing the teardown first/);
  }, 10 * 60_000);

  it('SIGTERM to the npm wrapper (what a CI runner or supervisor sends)', async () => {
    const run = await startRun();
    run.npm.kill('SIGTERM');
    expect(await gone(run.harness, 90_000)).toBe(true);
    const r = await run.npm;
    expect(r.exitCode ?? r.signal).not.toBe(0);
    expect(await leftOf(run.footprint)).toEqual([]);
    expect(run.output()).toMatch(/lab: SIGTERM: tearing the lab down/);
  }, 10 * 60_000);

  it('the wrapper killed outright: the harness sees its parent gone and tears down', async () => {
    const run = await startRun();
    run.npm.kill('SIGKILL');
    expect(await gone(run.harness, 90_000)).toBe(true);
    expect(await leftOf(run.footprint)).toEqual([]);
  }, 10 * 60_000);

  it('the harness SIGKILLed: QEMU and helpers die with it, `lab clean` removes the rest', async () => {
    const run = await startRun();
    process.kill(run.harness, 'SIGKILL');
    await sleep(2000);
    const left = await leftOf(run.footprint);
    // The kernel's parent-death signal ended every process at once; state and namespace remain.
    expect(left.filter((l) => l.startsWith('process '))).toEqual([]);
    expect(left.some((l) => l.startsWith('namespace '))).toBe(true);
    const clean = await execa('npm', ['run', '-s', 'lab', '--', 'clean'], { cwd: projectRoot, reject: false });
    expect(clean.exitCode).toBe(0);
    expect(await leftOf(run.footprint)).toEqual([]);
    await run.npm;
  }, 10 * 60_000);
});
