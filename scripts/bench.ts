/**
 * Bench — wall time per phase, against a baseline commit, with each run's CPU floor. A benchmark,
 * not a test:
 *   npx tsx scripts/bench.ts [--baseline REV] [--rounds N] [--scenarios single-node,three-node-ha]
 *     [--baseline-scenarios single-node]
 * Each round runs, as `lab scenario` children: every scenario on HEAD (this checkout), and the
 * baseline scenarios (default single-node: the one the head/baseline ratio is of) on the baseline
 * (a git worktree of REV, removed afterwards), in alternating order from round to round,
 * and single-node once more on HEAD with --reuse-install right after its cold run (warm).
 * A phase's time is when the last node reached it. The CPU floor of a run is its QEMUs' CPU
 * seconds over the host's cores: under TCG a guest is all CPU, so wall / floor says how much of
 * the run the cores were not all busy with guests; each run also says where its cores went (QEMU,
 * the host's other work, idle) and the stretches where guests left cores unused, by step (the
 * per-second readings are kept in the run's cpu-samples.jsonl), and the least wall / floor it could
 * have had: the host's other work and a fault's dark (no machine on), which no guest can fill.
 * Compare within one bench run only:
 * machines here differ by up to 2x. The last line, for scripts:
 *   bench: head/baseline=R warm/cold=R three-node wall/floor=R
 */
import { execa, type ResultPromise } from 'execa';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot, reportsRoot } from '../harness/paths.ts';
import type { RunResult } from '../harness/report/result.ts';
import { phases } from '../harness/scenario/phases.ts';
import { pxeStallResetHow } from '../harness/scenario/pxeStall.ts';
import { boundOf, coreBudget, cpuSpans, type CpuSample, qemuSecondsOf, readCpuSample, underUsed } from './benchCpu.ts';

const { values } = parseArgs({
  options: {
    baseline: { type: 'string' },
    rounds: { type: 'string', default: '1' },
    scenarios: { type: 'string', default: 'single-node,three-node-ha' },
    'baseline-scenarios': { type: 'string', default: 'single-node' },
  },
});
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`bench: --rounds wants a whole number ≥ 1, not ${JSON.stringify(values.rounds)}`);
  process.exit(2);
}
const scenarios = values.scenarios!.split(',').filter(Boolean);
const baselineScenarios = new Set(values['baseline-scenarios']!.split(',').filter(Boolean));
const cores = availableParallelism();
const benchDir = join(reportsRoot, `bench-${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}`);

interface Checkout {
  label: 'head' | 'baseline';
  dir: string;
}
const checkouts: Checkout[] = [{ label: 'head', dir: projectRoot }];
let worktree: string | undefined;
let child: ResultPromise | undefined;

async function removeWorktree(): Promise<void> {
  if (!worktree) return;
  await execa('git', ['worktree', 'remove', '--force', worktree], { cwd: projectRoot, reject: false });
  rmSync(worktree, { recursive: true, force: true });
  worktree = undefined;
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    process.stderr.write(`bench: ${sig}: stopping the running scenario (its own teardown), removing the worktree\n`);
    child?.kill(sig);
    void Promise.resolve(child).finally(async () => {
      await removeWorktree();
      process.exit(130);
    });
  });
}

if (values.baseline) {
  const rev = (await execa('git', ['rev-parse', '--verify', `${values.baseline}^{commit}`], { cwd: projectRoot, reject: false })).stdout.trim();
  if (!rev) {
    console.error(`bench: --baseline ${values.baseline} is not a commit of ${projectRoot}`);
    process.exit(2);
  }
  worktree = join(projectRoot, '.bench-baseline');
  rmSync(worktree, { recursive: true, force: true });
  await execa('git', ['worktree', 'prune'], { cwd: projectRoot });
  await execa('git', ['worktree', 'add', '--detach', worktree, rev], { cwd: projectRoot });
  const lock = (dir: string) => readFileSync(join(dir, 'package-lock.json'), 'utf8');
  // The same lock file: the same packages, so HEAD's node_modules serves both.
  if (lock(worktree) === lock(projectRoot)) symlinkSync(join(projectRoot, 'node_modules'), join(worktree, 'node_modules'));
  else await execa('npm', ['ci', '--no-audit', '--no-fund'], { cwd: worktree, stdio: 'inherit' });
  checkouts.push({ label: 'baseline', dir: worktree });
  process.stderr.write(`bench: baseline ${values.baseline} (${rev.slice(0, 12)}) in ${worktree}\n`);
}

/** A reading of /proc each second while `until` is pending: every QEMU's CPU and the host's idle time. */
function sampleCpu(until: Promise<unknown>): Promise<CpuSample[]> {
  const samples: CpuSample[] = [readCpuSample()];
  const timer = setInterval(() => samples.push(readCpuSample()), 1000);
  const done = () => {
    clearInterval(timer);
    samples.push(readCpuSample());
    return samples;
  };
  return until.then(done, done);
}

interface Run {
  round: number;
  checkout: Checkout['label'];
  scenario: string;
  kind: 'cold' | 'warm';
  result?: RunResult;
  exit: string;
  cpuSeconds: number;
  /** The per-second readings, for where the cores went. */
  cpu: CpuSample[];
}
const runs: Run[] = [];

async function runOne(round: number, co: Checkout, scenario: string, kind: 'cold' | 'warm'): Promise<Run> {
  const reports = join(benchDir, `${co.label}-${scenario}-${kind}-${round}`);
  mkdirSync(reports, { recursive: true });
  process.stderr.write(`bench: round ${round}: ${co.label} ${scenario} ${kind}\n`);
  const args = ['--import', 'tsx', 'harness/cli.ts', 'scenario', scenario, '--reports', reports, ...(kind === 'warm' ? ['--reuse-install'] : [])];
  child = execa(process.execPath, args, { cwd: co.dir, reject: false, all: true });
  const cpu = sampleCpu(child);
  const r = await child;
  child = undefined;
  const dirs = existsSync(reports) ? readdirSync(reports).filter((d) => existsSync(join(reports, d, 'result.json'))) : [];
  const result = dirs.length ? (JSON.parse(readFileSync(join(reports, dirs.sort().at(-1)!, 'result.json'), 'utf8')) as RunResult) : undefined;
  const samples = await cpu;
  writeFileSync(join(reports, 'cpu-samples.jsonl'), samples.map((x) => JSON.stringify(x)).join('\n') + '\n');
  const run: Run = { round, checkout: co.label, scenario, kind, exit: String(r.exitCode ?? r.signal), cpuSeconds: qemuSecondsOf(samples), cpu: samples, ...(result ? { result } : {}) };
  const wall = result ? result.durationMs / 1000 : undefined;
  process.stderr.write(`bench: ${co.label} ${scenario} ${kind}: ${result?.outcome ?? `no result (exit ${run.exit}: ${String(r.all ?? '').trim().split('\n').at(-1)})`}${wall ? ` in ${wall.toFixed(0)} s, QEMU CPU ${run.cpuSeconds.toFixed(0)} s` : ''}\n`);
  runs.push(run);
  return run;
}

try {
  for (let round = 1; round <= rounds; round++) {
    // Alternate who goes first, so a machine that slows down over the bench hurts both alike.
    const order = round % 2 === 1 ? checkouts : [...checkouts].reverse();
    for (const scenario of scenarios) {
      for (const co of order) {
        if (co.label === 'baseline' && !baselineScenarios.has(scenario)) continue;
        await runOne(round, co, scenario, 'cold');
        if (co.label === 'head' && scenario === 'single-node') await runOne(round, co, scenario, 'warm');
      }
    }
  }
} finally {
  await removeWorktree();
}

function median(xs: number[]): number | undefined {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
const wallOf = (r: Run) => (r.result ? r.result.durationMs / 1000 : undefined);
const floorOf = (r: Run) => r.cpuSeconds / cores;
const pick = (checkout: string, scenario: string, kind: string) => runs.filter((r) => r.checkout === checkout && r.scenario === scenario && r.kind === kind && r.result?.outcome === 'pass');
/** When the last node reached the phase. */
const phaseAt = (r: RunResult, p: string): number | undefined => {
  const at = r.nodes.map((n) => n.marks.filter((m) => m.phase === p).at(-1)?.offsetMs);
  return at.some((x) => x === undefined) ? undefined : Math.max(...(at as number[])) / 1000;
};
/**
 * Boots that began as a reset after a PXE stall: the download stopped and starts again, about a
 * minute each. With lpxelinux.0 (997bfb9 and every baseline before the switch to pxelinux.0) they
 * came at random and dominated one round's differences, so each run's count is printed.
 */
const stallResets = (r: Run): number => r.result?.nodes.reduce((n, node) => n + node.boots.filter((b) => b.how.startsWith(pxeStallResetHow)).length, 0) ?? 0;
const fmt = (x: number | undefined, unit = ' s') => (x === undefined ? '—' : `${x.toFixed(1)}${unit}`);

const columns = scenarios.flatMap((s) => [...checkouts.filter((c) => c.label === 'head' || baselineScenarios.has(s)).map((c) => ({ checkout: c.label, scenario: s, kind: 'cold' })), ...(s === 'single-node' ? [{ checkout: 'head', scenario: s, kind: 'warm' }] : [])]);
console.log(`bench: ${rounds} round(s), ${cores} cores; medians over passing runs`);
console.log(['phase'.padEnd(12), ...columns.map((c) => ` ${`${c.checkout} ${c.scenario} ${c.kind}`.padStart(30)}`)].join(''));
for (const p of phases) console.log([p.padEnd(12), ...columns.map((c) => fmt(median(pick(c.checkout, c.scenario, c.kind).flatMap((r) => phaseAt(r.result!, p) ?? []))).padStart(31))].join(''));
console.log(['total'.padEnd(12), ...columns.map((c) => fmt(median(pick(c.checkout, c.scenario, c.kind).flatMap((r) => wallOf(r) ?? []))).padStart(31))].join(''));
console.log('runs:');
for (const r of runs) {
  const wall = wallOf(r);
  const resets = stallResets(r);
  console.log(`  round ${r.round} ${r.checkout} ${r.scenario} ${r.kind}: ${r.result?.outcome ?? `exit ${r.exit}`}, wall ${fmt(wall)}, QEMU CPU ${r.cpuSeconds.toFixed(0)} s, floor ${fmt(floorOf(r))}, wall/floor ${wall ? (wall / floorOf(r)).toFixed(3) : '—'}${resets ? `, ${resets} PXE stall reset(s)` : ''}`);
  if (!r.result) continue;
  // wall / floor above 1: the host's other work, and cores the guests left idle (where, by step).
  const startMs = Date.parse(r.result.startedAt);
  const endMs = startMs + r.result.durationMs;
  const spans = cpuSpans(r.cpu.filter((x) => x.at <= endMs), startMs, cores);
  const b = coreBudget(r.cpu, startMs, endMs, cores, r.result.steps);
  const dark = b.scriptedDark ? ` (${b.scriptedDark.toFixed(0)} of it in a fault's dark, no machine on)` : '';
  console.log(`    cores: QEMU ${b.qemu.toFixed(0)} core-s, other processes ${b.other.toFixed(0)}, idle ${b.idle.toFixed(0)}${dark}`);
  // What no guest can change: with every core busy but in the dark, wall / floor would still be this.
  console.log(`    bound: wall/floor ≥ ${boundOf(b).toFixed(3)} with guests idle only in the dark (other processes ${(b.other / b.qemu).toFixed(3)}, dark ${(b.scriptedDark / b.qemu).toFixed(3)})`);
  for (const line of underUsed(spans, cores, r.result.steps)) console.log(`    under-used ${line}`);
}
const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined && b > 0 ? (a / b).toFixed(2) : 'n/a');
const headCold = median(pick('head', 'single-node', 'cold').flatMap((r) => wallOf(r) ?? []));
const baseCold = median(pick('baseline', 'single-node', 'cold').flatMap((r) => wallOf(r) ?? []));
const warm = median(pick('head', 'single-node', 'warm').flatMap((r) => wallOf(r) ?? []));
const threeFloor = median(pick('head', 'three-node-ha', 'cold').flatMap((r) => (wallOf(r) ? [wallOf(r)! / floorOf(r)] : [])));
console.log(`reports: ${benchDir}`);
console.log(`bench: head/baseline=${ratio(headCold, baseCold)} warm/cold=${ratio(warm, headCold)} three-node wall/floor=${threeFloor === undefined ? 'n/a' : threeFloor.toFixed(3)}`);
if (runs.some((r) => r.result?.outcome !== 'pass')) process.exitCode = 1;
