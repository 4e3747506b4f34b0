/**
 * Wall time per phase and in total for single-node and three-node-ha, and their ratio — a
 * benchmark, not a test (targets on the 2-core TCG machine: single-node ≤ 4 min, three-node-ha
 * ≤ 8 min, ratio ≤ 1.6). Runs the scenarios one after the other:
 *   npx tsx scripts/bench.ts [single-node three-node-ha]
 * A phase's time is when the last node reached it, from the start of the run.
 */
import { phases } from '../harness/scenario/phases.ts';
import { runLabScenario } from '../harness/scenario/labRun.ts';
import type { RunResult } from '../harness/report/result.ts';
import { formatProblems } from '../harness/scenario/preflight.ts';

const names = process.argv.slice(2).length ? process.argv.slice(2) : ['single-node', 'three-node-ha'];

function s(ms: number | undefined): string {
  return ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`;
}

/** When the last node reached each phase (undefined if some node never did). */
export function phaseTimes(result: RunResult): Record<string, number | undefined> {
  return Object.fromEntries(
    phases.map((p) => {
      const offsets = result.nodes.map((n) => n.marks.find((m) => m.phase === p)?.offsetMs);
      return [p, offsets.some((o) => o === undefined) ? undefined : Math.max(...(offsets as number[]))];
    }),
  );
}

const results: RunResult[] = [];
for (const name of names) {
  process.stderr.write(`bench: running ${name}\n`);
  const outcome = await runLabScenario({ scenario: name, progress: { write: (t) => process.stderr.write(t), isTTY: false } });
  if (outcome.kind === 'preflight') {
    console.error(formatProblems(outcome.problems));
    process.exit(2);
  }
  results.push(outcome.result);
  process.stderr.write(`bench: ${name} ${outcome.result.outcome} — ${outcome.reportPath}\n`);
}

const times = results.map(phaseTimes);
const width = Math.max(...phases.map((p) => p.length), 5);
console.log(['phase'.padEnd(width), ...results.map((r) => r.scenario.padStart(16))].join('  '));
for (const p of phases) console.log([p.padEnd(width), ...times.map((t) => s(t[p]).padStart(16))].join('  '));
console.log(['total'.padEnd(width), ...results.map((r) => s(r.durationMs).padStart(16))].join('  '));
console.log(['outcome'.padEnd(width), ...results.map((r) => r.outcome.padStart(16))].join('  '));
if (results.length === 2) {
  const ratio = results[1]!.durationMs / results[0]!.durationMs;
  console.log(`ratio ${results[1]!.scenario} / ${results[0]!.scenario}: ${ratio.toFixed(2)}`);
}
