/**
 * Repeat — K consecutive runs of one scenario through `npm run scenario`, counting passes and the
 * causes of the failures (the verdict line each run prints first), with each run's wall time.
 *   npx tsx scripts/repeat.ts [--runs 10] [--scenario three-node-ha] [-- extra scenario options]
 * The last line, for scripts: `repeat: scenario=S runs=K passed=P median=S`.
 */
import { execa } from 'execa';
import { parseArgs } from 'node:util';
import { projectRoot } from '../harness/paths.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: 'string', default: '10' }, scenario: { type: 'string', default: 'three-node-ha' } },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`repeat: --runs takes a whole number, not '${values.runs}'`);
  process.exit(2);
}
const scenario = values.scenario!;
const causes = new Map<string, number>();
const times: number[] = [];
let passed = 0;
for (let i = 1; i <= runs; i++) {
  const started = Date.now();
  const r = await execa('npm', ['run', '-s', 'scenario', scenario, '--', ...positionals], { cwd: projectRoot, reject: false, all: true });
  const seconds = (Date.now() - started) / 1000;
  times.push(seconds);
  const lines = String(r.all ?? '').split('\n');
  const verdict = lines.find((l) => l.startsWith(`${scenario}: `)) ?? `(no verdict line; exit ${r.exitCode ?? r.signal}: ${lines.filter(Boolean).slice(-1)[0] ?? ''})`;
  const report = lines.find((l) => l.startsWith('report: ')) ?? '';
  if (r.exitCode === 0) passed++;
  else causes.set(verdict, (causes.get(verdict) ?? 0) + 1);
  console.log(`run ${i}/${runs}: exit ${r.exitCode} in ${seconds.toFixed(0)} s: ${verdict}${report ? ` (${report.slice(8)})` : ''}`);
}
if (causes.size) {
  console.log('failures by cause:');
  for (const [cause, n] of [...causes].sort((a, b) => b[1] - a[1])) console.log(`  ${n}× ${cause}`);
}
const sorted = [...times].sort((a, b) => a - b);
console.log(`repeat: scenario=${scenario} runs=${runs} passed=${passed} median=${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)}`);
process.exitCode = passed === runs ? 0 : 1;
