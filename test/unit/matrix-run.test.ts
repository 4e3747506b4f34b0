import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../harness/paths.ts';
import type { RunResult } from '../../harness/report/result.ts';
import { expandCombinations, type Combination } from '../../harness/matrix/combination.ts';
import { capacityFor, labOverheadMiB, needOf, nodeMemoryMiB } from '../../harness/matrix/jobs.ts';
import { LabChildren } from '../../harness/matrix/labChild.ts';
import { MatrixRun, scenarioArgs, type RunChild } from '../../harness/matrix/matrixRun.ts';
import { reportDirName } from '../../harness/report/reportDir.ts';
import { sampleResult } from './report-fixture.ts';

const root = mkdtempSync(join(tmpdir(), 'lab-matrix-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const passed = (scenario: string): RunResult => sampleResult({ scenario, outcome: 'pass', verdict: { kind: 'passed', ok: true, summary: 'PASS', reasons: [] }, consequences: [], assertions: [{ name: 'all-nodes-joined', ok: true, detail: 'node-1: ok' }] });
const failed = (scenario: string): RunResult =>
  sampleResult({
    scenario,
    verdict: { kind: 'failed', ok: false, summary: 'failed: node-1 boot 2: k3s-install.service failed: [ERROR]  boom', reasons: [] },
    cause: { node: 'node-1', boot: 2, unit: 'k3s-install.service', reason: 'failed', lines: ['[ERROR]  boom'], source: 'journal', offsetMs: 200_000, headline: 'node-1 boot 2: k3s-install.service failed: [ERROR]  boom' },
  });

/** A stand-in for `lab scenario`: writes a run folder as the real one does (or refuses, exit 2), and counts how many run at once. */
function fakeLab(results: Record<string, RunResult | 'refuse'>, delayMs = 30) {
  const calls: string[][] = [];
  let running = 0;
  let most = 0;
  const runChild: RunChild = async (args, logFile) => {
    calls.push(args);
    running++;
    most = Math.max(most, running);
    await new Promise((r) => setTimeout(r, delayMs));
    running--;
    const reports = args[args.indexOf('--reports') + 1]!;
    const id = reports.split('/').pop()!;
    mkdirSync(reports, { recursive: true });
    const r = results[id];
    if (!r || r === 'refuse') {
      writeFileSync(logFile, 'lab: LAB_ACCEL=foo: want kvm or tcg\n');
      return { exitCode: 2, signal: null };
    }
    const dir = join(reports, reportDirName(r.scenario, new Date(r.startedAt)));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'result.json'), JSON.stringify(r));
    writeFileSync(join(dir, 'report.html'), '<!doctype html>');
    writeFileSync(logFile, `${r.scenario}: ${r.verdict.summary}\n`);
    return { exitCode: r.verdict.ok ? 0 : 1, signal: null };
  };
  return { runChild, calls, most: () => most };
}

const combos = (specs: [string, number][]): Combination[] => specs.map(([scenario, nodes]) => ({ ...expandCombinations([scenario], [], [])[0]!, nodes }));
const meta = { startedAt: '2026-12-01T02:00:00.000Z', all: 3, jobs: '--jobs 1' };

/** Tags open and close in order: enough to know a JUnit file is whole. */
function wellFormed(xml: string): boolean {
  const stack: string[] = [];
  for (const m of xml.replace(/<\?xml[^>]*\?>/, '').matchAll(/<(\/?)([A-Za-z][\w-]*)[^>]*?(\/?)>/g)) {
    if (m[3]) continue;
    if (m[1]) {
      if (stack.pop() !== m[2]) return false;
    } else stack.push(m[2]!);
  }
  return stack.length === 0;
}

describe('lab matrix runs', () => {
  it('gives each combination its own lab scenario child and report dir, passing options through', () => {
    const [c] = combos([['single-node', 1]]);
    expect(scenarioArgs({ ...c!, installSh: 'fixture:pr13712', k3sVersion: 'v1.32.4+k3s1' }, ['--online'], '/r/x')).toEqual(['scenario', 'single-node', '--install-sh', 'fixture:pr13712', '--k3s-version', 'v1.32.4+k3s1', '--online', '--reports', '/r/x']);
    // `double` in the axis means the offline default: no --k3s-version.
    expect(scenarioArgs({ ...c!, k3sVersion: 'double' }, [], '/r/x')).toEqual(['scenario', 'single-node', '--reports', '/r/x']);
  });

  it('runs every combination, combines their results into one junit.xml and an index, exits 1 when one missed its expectation', async () => {
    const dir = join(root, 'm1');
    const lines: string[] = [];
    const list = combos([['single-node', 1], ['install-sh-regression', 1], ['three-node-ha', 3]]);
    const lab = fakeLab({ 'single-node': passed('single-node'), 'install-sh-regression': failed('install-sh-regression'), 'three-node-ha': 'refuse' });
    const m = new MatrixRun({ combinations: list, matrixDir: dir, capacity: capacityFor({ kind: 'count', count: 1 }, { cpus: 2, memoryMiB: 24_000 }), passThrough: ['--online'], meta, out: (l) => lines.push(l) });
    expect(await m.run(lab.runChild)).toBe(1);
    expect(lab.calls.map((a) => a.slice(0, 2))).toEqual([['scenario', 'single-node'], ['scenario', 'install-sh-regression'], ['scenario', 'three-node-ha']]);
    expect(lab.calls.every((a) => a.includes('--online'))).toBe(true);
    expect(lab.most()).toBe(1);
    // A progress line when each starts and when each ends, the cause in the failed one's.
    expect(lines.filter((l) => / start /.test(l))).toHaveLength(3);
    expect(lines.find((l) => l.startsWith('matrix: [1/3] ok '))).toMatch(/single-node .*PASS → .*single-node\/\d{8}-\d{6}-single-node\/report\.html$/);
    expect(lines.find((l) => l.startsWith('matrix: [2/3] FAIL '))).toContain('k3s-install.service failed: [ERROR]  boom');
    expect(lines.find((l) => l.startsWith('matrix: [3/3] ERROR '))).toContain('exit 2: lab: LAB_ACCEL=foo: want kvm or tcg');
    expect(lines).toContain('matrix: 1 of 3 combinations met their expectation');

    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(wellFormed(junit)).toBe(true);
    const suites = [...junit.matchAll(/<testsuite name="([^"]+)" tests="(\d+)" failures="(\d+)" errors="(\d+)"/g)].map((x) => ({ name: x[1], tests: Number(x[2]), failures: Number(x[3]), errors: Number(x[4]) }));
    expect(suites.map((s) => s.name)).toEqual(['single-node', 'install-sh-regression', 'three-node-ha']);
    // Each suite is the run's own, under the combination's name; the totals add up.
    expect(suites[0]).toMatchObject({ failures: 0, errors: 0 });
    expect(suites[1]!.failures).toBeGreaterThan(0);
    expect(suites[2]).toMatchObject({ tests: 1, errors: 1 });
    const head = /<testsuites [^>]*tests="(\d+)" failures="(\d+)" errors="(\d+)"/.exec(junit)!;
    expect([Number(head[1]), Number(head[2]), Number(head[3])]).toEqual([suites.reduce((s, x) => s + x.tests, 0), suites.reduce((s, x) => s + x.failures, 0), suites.reduce((s, x) => s + x.errors, 0)]);
    expect(junit).toContain('<testcase classname="install-sh-regression" name="verdict"');
    expect(junit).toContain('<property name="scenario" value="three-node-ha"/>');
    expect(junit).toMatch(/<error message="exit 2: lab: LAB_ACCEL=foo: want kvm or tcg">/);

    const index = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(index).toContain('1 of 3 combinations met their expectation');
    const links = [...index.matchAll(/href="([^"]+)"/g)].map((x) => x[1]!);
    for (const l of links) expect(existsSync(join(dir, l)), l).toBe(true);
    expect(links.filter((l) => l.endsWith('/report.html'))).toHaveLength(2);
    const json = JSON.parse(readFileSync(join(dir, 'matrix.json'), 'utf8')) as { ok: boolean; combinations: { id: string; ok: boolean; cause: string | null }[] };
    expect(json.ok).toBe(false);
    expect(json.combinations.map((c) => c.ok)).toEqual([true, false, false]);
    expect(json.combinations[1]!.cause).toBe('node-1 boot 2: k3s-install.service failed: [ERROR]  boom');
  });

  it('exits 0 when every combination met its expectation, 2 when every one refused its input', async () => {
    const ok = fakeLab({ 'single-node': passed('single-node'), 'install-sh-regression': { ...failed('install-sh-regression'), verdict: { kind: 'reproduced', ok: true, summary: 'expected failure reproduced', reasons: [] } } });
    const cap = capacityFor({ kind: 'count', count: 2 }, { cpus: 2, memoryMiB: 24_000 });
    expect(await new MatrixRun({ combinations: combos([['single-node', 1], ['install-sh-regression', 1]]), matrixDir: join(root, 'm2'), capacity: cap, passThrough: [], meta, out: () => {} }).run(ok.runChild)).toBe(0);
    const refused = fakeLab({});
    expect(await new MatrixRun({ combinations: combos([['single-node', 1], ['three-node-ha', 3]]), matrixDir: join(root, 'm3'), capacity: cap, passThrough: [], meta, out: () => {} }).run(refused.runChild)).toBe(2);
  });

  it('starts no more labs than the memory holds, and one lab even when it alone does not fit', async () => {
    const single = needOf(1).memoryMiB;
    // Room for two one-node labs, not for a three-node one beside anything.
    const cap = capacityFor({ kind: 'auto' }, { cpus: 8, memoryMiB: 2 * single + 100 });
    const results = Object.fromEntries(['a', 'b', 'c'].map((s) => [s, passed(s)]));
    const lab = fakeLab(results, 60);
    const started: string[] = [];
    const runChild: RunChild = async (args, log) => {
      started.push(`${args[1]}@${Date.now()}`);
      return lab.runChild(args, log);
    };
    const list = combos([['a', 1], ['b', 1], ['c', 1]]);
    await new MatrixRun({ combinations: list, matrixDir: join(root, 'm4'), capacity: cap, passThrough: [], meta, out: () => {} }).run(runChild);
    expect(lab.most()).toBe(2);
    const big = fakeLab({ big: passed('big') });
    await new MatrixRun({ combinations: combos([['big', 3]]), matrixDir: join(root, 'm5'), capacity: capacityFor({ kind: 'auto' }, { cpus: 2, memoryMiB: 1000 }), passThrough: [], meta, out: () => {} }).run(big.runChild);
    expect(big.calls).toHaveLength(1);
  });

  it('--jobs auto counts a core and one VM memory per node (machineSize.ts, as labRun gives each VM)', () => {
    const cap = capacityFor({ kind: 'auto' }, { cpus: 4, memoryMiB: 64_000 });
    expect(cap.cpus).toBe(4);
    expect(needOf(3)).toEqual({ cpus: 3, memoryMiB: 3 * 2048 + 512 });
  });

  it('a stopped matrix still writes whole files, naming what was stopped and what never started', async () => {
    const dir = join(root, 'm6');
    const list = combos([['single-node', 1], ['install-sh-regression', 1]]);
    let release!: () => void;
    let stopping = false;
    const m = new MatrixRun({ combinations: list, matrixDir: dir, capacity: capacityFor({ kind: 'count', count: 1 }, { cpus: 2, memoryMiB: 24_000 }), passThrough: [], meta, out: () => {}, stopped: () => stopping });
    const running = m.run(() => {
      // The signal arrives while the first runs.
      stopping = true;
      return new Promise((r) => (release = () => r({ exitCode: 143, signal: null })));
    });
    await new Promise((r) => setTimeout(r, 20));
    m.writeOutputs('SIGTERM');
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(wellFormed(junit)).toBe(true);
    expect(junit).toContain('<error message="stopped by SIGTERM before it finished">');
    expect(junit).toContain('<skipped message="not started: the matrix was stopped by SIGTERM"/>');
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('stopped by SIGTERM');
    release();
    expect(await running).toBe(1);
  });
});

describe('lab children', () => {
  const sleeper = (marker: string) =>
    `const fs=require('fs');for(const s of ['SIGINT','SIGTERM','SIGHUP'])process.on(s,()=>{setTimeout(()=>{fs.writeFileSync(${JSON.stringify(marker)},s+' pgid-own:'+(process.pid===Number(fs.readFileSync('/proc/self/stat','utf8').split(') ')[1].split(' ')[2])));process.exit(128+({SIGHUP:1,SIGINT:2,SIGTERM:15})[s])},200)});console.log('ready');setInterval(()=>{},1000);`;

  it('forwards the signal to each running child once and waits until it has finished its teardown', async () => {
    const marker = join(root, 'child-marker');
    const children = new LabChildren((args) => [process.execPath, ['-e', sleeper(marker), ...args]]);
    const log = join(root, 'child.log');
    const exited = children.run([], log);
    for (let i = 0; i < 100 && !(existsSync(log) && readFileSync(log, 'utf8').includes('ready')); i++) await new Promise((r) => setTimeout(r, 50));
    expect(children.size).toBe(1);
    await children.stopAll('SIGTERM');
    // Its teardown (200 ms) was over before stopAll returned; it ran in a process group of its own.
    expect(readFileSync(marker, 'utf8')).toBe('SIGTERM pgid-own:true');
    expect(await exited).toEqual({ exitCode: 143, signal: null });
    expect(await children.run([], log)).toMatchObject({ exitCode: null, error: 'not started: the parent is stopping' });
  });

  it('a matrix stopped by SIGINT stops its children with SIGINT, waits for them, then writes, then exits 130', async () => {
    const marker = join(root, 'teardown-marker');
    const after = join(root, 'after-marker');
    const mod = (f: string) => JSON.stringify(pathToFileURL(join(projectRoot, f)).href);
    const script = `
      import { writeFileSync, existsSync, readFileSync } from 'node:fs';
      const { withLabChildren } = await import(${mod('harness/matrix/childTeardown.ts')});
      const { LabChildren } = await import(${mod('harness/matrix/labChild.ts')});
      const children = new LabChildren((args) => [process.execPath, ['-e', ${JSON.stringify(sleeper(marker))}]]);
      await withLabChildren((c) => { const p = c.run([], ${JSON.stringify(join(root, 'teardown.log'))}); setTimeout(() => console.log('started'), 500); return p; },
        (sig) => writeFileSync(${JSON.stringify(after)}, sig + ' after child: ' + existsSync(${JSON.stringify(marker)})), children);`;
    const parent = execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: projectRoot, reject: false });
    await new Promise<void>((resolve) => parent.stdout!.on('data', (d: Buffer) => d.toString().includes('started') && resolve()));
    parent.kill('SIGINT');
    const r = await parent;
    expect(r.exitCode, r.stderr).toBe(130);
    expect(r.stderr).toContain('lab: SIGINT: stopping 1 run and waiting for its teardown');
    expect(readFileSync(marker, 'utf8')).toMatch(/^SIGINT /);
    expect(readFileSync(after, 'utf8')).toBe('SIGINT after child: true');
  });
});
