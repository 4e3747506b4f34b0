/** `lab report [DIR]`: summarises a run's result.json (default: the newest report) and rewrites its report.html. */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { reportsRoot } from '../paths.ts';
import { reportHtml } from '../report/html.ts';
import { junitXml } from '../report/junit.ts';
import { exitCodeOf, type RunResult } from '../report/result.ts';
import type { LabCommand } from './types.ts';

function newestReport(): string {
  const dirs = existsSync(reportsRoot) ? readdirSync(reportsRoot).filter((d) => existsSync(join(reportsRoot, d, 'result.json'))).sort() : [];
  const last = dirs.at(-1);
  if (!last) throw new UsageError(`no reports in ${reportsRoot} yet (run: npm run scenario <name>)`);
  return join(reportsRoot, last);
}

export const command: LabCommand = {
  name: 'report',
  summary: "print a run's outcome from its result.json (default: the newest) and re-render its report.html",
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log('usage: lab report [REPORT-DIR]');
      return 0;
    }
    if (argv.length > 1) throw new UsageError('usage: lab report [REPORT-DIR]');
    const dir = argv[0] ? resolve(argv[0]) : newestReport();
    const file = join(dir, 'result.json');
    if (!existsSync(file)) throw new UsageError(`${file} does not exist`);
    let result: RunResult;
    try {
      result = JSON.parse(readFileSync(file, 'utf8')) as RunResult;
    } catch (err) {
      throw new UsageError(`${file}: not JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    if (!result.scenario || !Array.isArray(result.assertions) || !Array.isArray(result.nodes)) throw new UsageError(`${file}: not a run result`);
    // Results written before verdicts existed: judged as they were then (pass or not).
    result.verdict ??= { kind: result.outcome === 'pass' ? 'passed' : 'failed', ok: result.outcome === 'pass', summary: result.outcome.toUpperCase(), reasons: [] };
    result.consequences ??= [];
    result.terminalEvents ??= [];
    // Re-rendered from the already redacted result: nothing secret can enter here.
    writeFileSync(join(dir, 'report.html'), reportHtml(result));
    writeFileSync(join(dir, 'junit.xml'), junitXml(result));
    console.log(`${result.scenario}: ${result.verdict.summary} (${Math.round(result.durationMs / 1000)} s, started ${result.startedAt})`);
    for (const n of result.nodes) console.log(`  ${n.name.padEnd(8)} ${n.phase ?? 'nothing observed'}`);
    for (const a of result.assertions) console.log(`  ${a.ok ? 'pass' : 'FAIL'}  ${a.name}`);
    if (result.error) console.log(`  run stopped: ${result.error.split('\n')[0]}`);
    console.log(`  ${join(dir, 'report.html')}`);
    return exitCodeOf(result);
  },
};
