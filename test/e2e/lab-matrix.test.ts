import { execa, type ResultPromise } from 'execa';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../harness/paths.ts';
import type { RunResult } from '../../harness/report/result.ts';
import { footprintOf, leftOf, type Footprint } from './support/runFootprint.ts';

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const reportsRoot = mkdtempSync(join(tmpdir(), 'lab-matrix-e2e-'));
afterAll(() => rmSync(reportsRoot, { recursive: true, force: true }));

function labMatrix(args: string[]): { child: ResultPromise<{ all: true; reject: false; cwd: string }>; output: () => string } {
  const child = execa(process.execPath, ['--import', tsx, join(projectRoot, 'harness/cli.ts'), 'matrix', ...args], { cwd: projectRoot, all: true, reject: false });
  let out = '';
  child.all!.on('data', (d: Buffer) => {
    process.stdout.write(d);
    out += d.toString();
  });
  return { child, output: () => out };
}

/** Samples what the matrix has made (its children's QEMUs, dnsmasqs, namespaces, temp dirs) until it exits. */
function watchFootprint(pid: number, done: Promise<unknown>): Promise<Footprint> {
  return (async () => {
    let f: Footprint | undefined;
    let finished = false;
    void done.finally(() => (finished = true));
    while (!finished) {
      f = await footprintOf(pid, f);
      await new Promise((r) => setTimeout(r, 2000));
    }
    return f ?? { procs: [], marks: [] };
  })();
}

/**
 * `lab matrix` with real runs, each its own lab in its own child process. The two cheapest real
 * combinations, one after the other (--jobs 1) on the 2-core TCG machine:
 *   install-sh-regression — one node, PXE install, first boot, stops at k3s-install.service's
 *                           failure (the reproducer, green when it reproduces): ≈ 2.5–3 min;
 *   single-node           — one node through joined and every assertion: ≈ 3–3.5 min;
 * ≈ 6–7 min in all (+ ≈ 2.5 min once, when the lab OS is not in the cache yet): behind
 * LAB_E2E_LONG (CI time: `npm test` runs install-sh-regression on its own). The stop test boots one
 * node to PXE and stops it (≈ 1 min) and runs in `npm test`.
 */
describe('lab matrix', () => {
  it.skipIf(!process.env.LAB_E2E_LONG)('runs two real combinations into one junit.xml and an index report, exit 0, nothing left behind', async () => {
    const reports = join(reportsRoot, 'two');
    const { child, output } = labMatrix(['single-node', 'install-sh-regression', '--jobs', '1', '--reports', reports]);
    const footprint = watchFootprint(child.pid!, child);
    const r = await child;
    expect(r.exitCode, output().slice(-3000)).toBe(0);
    expect(output()).toMatch(/^matrix: 2 combinations, up to 1 at once/m);
    for (const id of ['single-node', 'install-sh-regression']) {
      expect(output()).toMatch(new RegExp(`^matrix: \\[\\d/2\\] start  ${id} \\(1 node; 1 running\\)$`, 'm'));
      expect(output()).toMatch(new RegExp(`^matrix: \\[\\d/2\\] ok    ${id} \\(`, 'm'));
    }
    expect(output()).toContain('matrix: 2 of 2 combinations met their expectation');

    const [matrixDir] = readdirSync(reports).filter((d) => d.endsWith('-matrix'));
    const dir = join(reports, matrixDir!);
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect([...junit.matchAll(/<testsuite name="([^"]+)"/g)].map((m) => m[1])).toEqual(['single-node', 'install-sh-regression']);
    expect(junit).toMatch(/<testsuites name="flatcar-k3s-lab matrix" tests="\d+" failures="0" errors="0"/);
    expect(junit).toMatch(/name="verdict"[^>]*><system-out>expected failure reproduced: node-1 boot \d+: k3s-install\.service failed: \[ERROR\] {2}Failed to find the k3s-selinux policy/);
    for (const id of ['single-node', 'install-sh-regression']) {
      const runs = readdirSync(join(dir, id)).filter((d) => existsSync(join(dir, id, d, 'result.json')));
      expect(runs).toHaveLength(1);
      const result = JSON.parse(readFileSync(join(dir, id, runs[0]!, 'result.json'), 'utf8')) as RunResult;
      expect(result.verdict.ok, result.verdict.summary).toBe(true);
      console.log(`${id}: ${result.verdict.summary} in ${Math.round(result.durationMs / 1000)} s`);
    }
    const index = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(index).toContain('2 of 2 combinations met their expectation');
    for (const m of index.matchAll(/href="([^"]+)"/g)) expect(existsSync(join(dir, m[1]!)), m[1]).toBe(true);
    expect(await leftOf(await footprint)).toEqual([]);
  }, 20 * 60_000);

  it('Ctrl-C stops the running combination through its own teardown, writes the reports, leaves nothing', async () => {
    const reports = join(reportsRoot, 'stopped');
    const { child, output } = labMatrix(['single-node', 'install-sh-regression', '--jobs', '1', '--reports', reports]);
    let footprint: Footprint | undefined;
    // Stop once the first combination's node is booting: QEMU, dnsmasq and the mirror are all up.
    for (let i = 0; i < 150; i++) {
      footprint = await footprintOf(child.pid!, footprint);
      if (/qemu-system-x86_64/.test(footprint.procs.map((p) => p.cmdline).join('\n'))) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    expect(footprint!.procs.map((p) => p.cmdline).join('\n')).toMatch(/qemu-system-x86_64/);
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode, output().slice(-3000)).toBe(130);
    expect(output()).toContain('lab: SIGINT: stopping 1 run and waiting for its teardown');
    // The child tore its own lab down, as a Ctrl-C to `lab scenario` does.
    const [matrixDir] = readdirSync(reports).filter((d) => d.endsWith('-matrix'));
    expect(readFileSync(join(reports, matrixDir!, 'single-node', 'output.log'), 'utf8')).toMatch(/lab: SIGINT: tearing the lab down/);
    const junit = readFileSync(join(reports, matrixDir!, 'junit.xml'), 'utf8');
    expect(junit).toContain('stopped by SIGINT before it finished');
    expect(junit).toContain('not started: the matrix was stopped by SIGINT');
    expect(await leftOf(footprint!)).toEqual([]);
  }, 10 * 60_000);
});
