/**
 * Interrupt soak — a benchmark of teardown, not a test: N runs of a scenario through the wrapper
 * people type (`npm run scenario …`), each stopped at a random moment by a random way, and after
 * each a check that nothing of the lab remains (processes, namespaces, mounts, run records, temp
 * dirs: harness/lab/traces.ts). Every --full-every'th round is a full run that must pass.
 *   npx tsx scripts/interrupt-soak.ts [--rounds 20] [--scenario single-node] [--full-every 5] [--seed N]
 * Ways: SIGINT, SIGTERM or SIGHUP to the npm wrapper or to the harness; SIGKILL to the harness,
 * then `lab clean`. Moments: the launch itself (before the lab is up), or a phase of the flow.
 * Run it alone on the machine: any other lab's traces would count as left behind.
 * The last line, for scripts: `interrupt-soak: rounds=N clean=N full-passed=N/N teardown-median=S`.
 */
import { execa, type ResultPromise } from 'execa';
import { parseArgs } from 'node:util';
import { isAlive, procId, type ProcId } from '../harness/lab/procs.ts';
import { labTraces } from '../harness/lab/traces.ts';
import { projectRoot } from '../harness/paths.ts';
import { phases, type Phase } from '../harness/scenario/phases.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '20' },
    scenario: { type: 'string', default: 'single-node' },
    'full-every': { type: 'string', default: '5' },
    seed: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const fullEvery = Number(values['full-every']);
if (!Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(fullEvery) || fullEvery < 0) {
  console.error('interrupt-soak: --rounds and --full-every take whole numbers (--full-every 0: no full runs)');
  process.exit(2);
}

// A small seeded generator, so a round that left something can be replayed with --seed.
let seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 2 ** 31;
const firstSeed = seed;
const random = (): number => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

type Way = 'SIGINT→npm' | 'SIGTERM→npm' | 'SIGHUP→npm' | 'SIGINT→harness' | 'SIGTERM→harness' | 'SIGHUP→harness' | 'SIGKILL→harness+clean';
const ways: Way[] = ['SIGINT→npm', 'SIGTERM→npm', 'SIGHUP→npm', 'SIGINT→harness', 'SIGTERM→harness', 'SIGHUP→harness', 'SIGKILL→harness+clean'];
// Up to k3s-install: the later phases are minutes further under TCG and tear down the same way.
const moments: ('launch' | Phase)[] = ['launch', ...phases.slice(0, phases.indexOf('k3s-install') + 1)];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The harness as it was when the round stopped it: pid and start time (a reused pid is not it). */
function alive(p: ProcId | undefined): boolean {
  return p !== undefined && isAlive(p);
}

function procIdOrUndefined(pid: number): ProcId | undefined {
  try {
    return procId(pid);
  } catch {
    return undefined;
  }
}

async function harnessOf(npm: ResultPromise): Promise<number | undefined> {
  const r = await execa('pgrep', ['-P', String(npm.pid)], { reject: false });
  return r.stdout.split('\n').filter(Boolean).map(Number)[0];
}

interface Round {
  index: number;
  kind: 'interrupt' | 'full';
  moment?: string;
  way?: Way;
  teardownS?: number;
  exit?: string;
  left: string[];
  passed?: boolean;
}

async function interruptRound(index: number, baseline: Set<string>): Promise<Round> {
  const moment = pick(moments);
  const way = pick(ways);
  const npm = execa('npm', ['run', '-s', 'scenario', values.scenario!], { cwd: projectRoot, reject: false, all: true, detached: true });
  let out = '';
  npm.all!.on('data', (d: Buffer) => (out += d.toString()));
  let ended = false;
  void npm.then(() => (ended = true));
  const deadline = Date.now() + 20 * 60_000;
  if (moment === 'launch') await sleep(300 + random() * 3000);
  else while (!ended && !new RegExp(`→ ${moment} `).test(out) && Date.now() < deadline) await sleep(200);
  const harnessPid = await harnessOf(npm);
  const harness = harnessPid !== undefined ? procIdOrUndefined(harnessPid) : undefined;
  const stoppedAt = Date.now();
  const [sig, target] = way.split(/→|\+/) as [NodeJS.Signals, string];
  if (target === 'npm') npm.kill(sig);
  else if (harness !== undefined) process.kill(harness.pid, sig);
  while (alive(harness) && Date.now() - stoppedAt < 180_000) await sleep(100);
  const teardownS = (Date.now() - stoppedAt) / 1000;
  const r = await npm;
  if (way.endsWith('+clean')) await execa('npm', ['run', '-s', 'lab', '--', 'clean'], { cwd: projectRoot, reject: false });
  const left = (await labTraces()).filter((t) => !baseline.has(t));
  if (alive(harness)) left.unshift(`the harness ${harness!.pid} itself, 180 s after ${sig}`);
  return { index, kind: 'interrupt', moment, way, teardownS, exit: String(r.exitCode ?? r.signal), left };
}

async function fullRound(index: number, baseline: Set<string>): Promise<Round> {
  const r = await execa('npm', ['run', '-s', 'scenario', values.scenario!], { cwd: projectRoot, reject: false, all: true });
  const verdict = String(r.all ?? '').split('\n').find((l) => l.startsWith(`${values.scenario}: `)) ?? '(no verdict line)';
  const left = (await labTraces()).filter((t) => !baseline.has(t));
  return { index, kind: 'full', exit: `${r.exitCode}: ${verdict}`, left, passed: r.exitCode === 0 };
}

const baseline = new Set(await labTraces());
if (baseline.size) console.log(`interrupt-soak: ${baseline.size} lab traces were there before the soak (not counted):\n  ${[...baseline].join('\n  ')}`);
console.log(`interrupt-soak: ${rounds} rounds of ${values.scenario}, full run every ${fullEvery || 'never'}, seed ${firstSeed}`);
const done: Round[] = [];
for (let i = 1; i <= rounds; i++) {
  const round = fullEvery > 0 && i % fullEvery === 0 ? await fullRound(i, baseline) : await interruptRound(i, baseline);
  done.push(round);
  const what = round.kind === 'full' ? `full run: ${round.passed ? 'passed' : 'FAILED'} (exit ${round.exit})` : `${round.way} at ${round.moment}: gone after ${round.teardownS!.toFixed(1)} s (exit ${round.exit})`;
  console.log(`round ${i}: ${what}; ${round.left.length ? `LEFT ${round.left.length}:\n  ${round.left.join('\n  ')}` : 'nothing left'}`);
  // A round that left something must not poison the next: clean, and count it.
  if (round.left.length) await execa('npm', ['run', '-s', 'lab', '--', 'clean', '--all'], { cwd: projectRoot, reject: false });
}
const clean = done.filter((r) => r.left.length === 0).length;
const full = done.filter((r) => r.kind === 'full');
const teardowns = done.flatMap((r) => (r.teardownS !== undefined ? [r.teardownS] : [])).sort((a, b) => a - b);
const median = teardowns.length ? teardowns[Math.floor(teardowns.length / 2)]! : 0;
console.log(`interrupt-soak: rounds=${done.length} clean=${clean} full-passed=${full.filter((r) => r.passed).length}/${full.length} teardown-median=${median.toFixed(1)}`);
process.exitCode = clean === done.length && full.every((r) => r.passed) ? 0 : 1;
