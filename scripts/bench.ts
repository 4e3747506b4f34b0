/**
 * Wall time per phase and in total for single-node and three-node-ha, and their ratio — a
 * benchmark, not a test (targets on the 2-core TCG machine: single-node ≤ 4 min, three-node-ha
 * ≤ 8 min, ratio ≤ 1.6). Runs the scenarios one after the other, round after round:
 *   npx tsx scripts/bench.ts [--rounds N] [single-node three-node-ha]
 * A phase's time is when the last node reached it, from the start of the run. One pair's ratio
 * moves by ±0.1 from run to run here (scheduling, a PXE stall reset), so with several rounds the
 * table shows medians and every round's totals are listed.
 */
import { parseArgs } from 'node:util';
import { phases } from '../harness/scenario/phases.ts';
import { runLabScenario } from '../harness/scenario/labRun.ts';
import type { RunResult } from '../harness/report/result.ts';
import { formatProblems } from '../harness/scenario/preflight.ts';

const { values, positionals } = parseArgs({ options: { rounds: { type: 'string', default: '1' } }, allowPositionals: true });
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`bench: --rounds wants a whole number ≥ 1, not ${JSON.stringify(values.rounds)}`);
  process.exit(2);
}
const names = positionals.length ? positionals : ['single-node', 'three-node-ha'];

function s(ms: number | undefined): string {
  return ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** When the last node reached each phase (undefined if some node never did). */
function phaseTimes(result: RunResult): Record<string, number | undefined> {
  return Object.fromEntries(
    phases.map((p) => {
      const offsets = result.nodes.map((n) => n.marks.find((m) => m.phase === p)?.offsetMs);
      return [p, offsets.some((o) => o === undefined) ? undefined : Math.max(...(offsets as number[]))];
    }),
  );
}

/** results[round][scenario] */
const results: RunResult[][] = [];
for (let round = 1; round <= rounds; round++) {
  const row: RunResult[] = [];
  for (const name of names) {
    process.stderr.write(`bench: round ${round} of ${rounds}: running ${name}\n`);
    const outcome = await runLabScenario({ scenario: name, progress: { write: (t) => process.stderr.write(t), isTTY: false } });
    if (outcome.kind === 'preflight') {
      console.error(formatProblems(outcome.problems));
      process.exit(2);
    }
    row.push(outcome.result);
    process.stderr.write(`bench: ${name} ${outcome.result.outcome} in ${s(outcome.result.durationMs)} — ${outcome.reportPath}\n`);
  }
  results.push(row);
}

/** A scenario's figure over the rounds: the value, or the median when some rounds have it. */
function over(i: number, pick: (r: RunResult) => number | undefined): number | undefined {
  const xs = results.map((row) => pick(row[i]!)).filter((x): x is number => x !== undefined);
  return xs.length ? median(xs) : undefined;
}

const width = Math.max(...phases.map((p) => p.length), 7);
console.log(rounds > 1 ? `median of ${rounds} rounds` : 'one round');
console.log(['phase'.padEnd(width), ...names.map((n) => n.padStart(16))].join('  '));
for (const p of phases) console.log([p.padEnd(width), ...names.map((_, i) => s(over(i, (r) => phaseTimes(r)[p])).padStart(16))].join('  '));
console.log(['total'.padEnd(width), ...names.map((_, i) => s(over(i, (r) => r.durationMs)).padStart(16))].join('  '));
const ratios = names.length === 2 ? results.map((row) => row[1]!.durationMs / row[0]!.durationMs) : [];
for (const [k, row] of results.entries()) {
  const totals = row.map((r) => `${r.scenario} ${s(r.durationMs)} (${r.outcome})`).join(', ');
  console.log(`round ${k + 1}: ${totals}${ratios.length ? `, ratio ${ratios[k]!.toFixed(2)}` : ''}`);
}
if (ratios.length) console.log(`ratio ${names[1]} / ${names[0]}: ${rounds > 1 ? `median ${median(ratios).toFixed(2)} (${ratios.map((r) => r.toFixed(2)).join(', ')})` : ratios[0]!.toFixed(2)}`);
if (results.some((row) => row.some((r) => r.outcome !== 'pass'))) process.exitCode = 1;
