/**
 * A revision judged by really running it: its install.sh (`git show REV:PATH`) written to the
 * bisect's own temp dir, then `lab scenario <name> --install-sh <that file> … --reports <step dir>`
 * as a child. Good means the run met its expectation. A run that refused its input (exit 2) or
 * ended without a result cannot be judged: the bisect stops there instead of guessing.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabError, oneLine, UsageError } from '../errors.ts';
import { newestRunFolder, readRunResult, causeLine } from '../history/runFolder.ts';
import type { RunChild } from '../matrix/matrixRun.ts';
import type { Git } from './git.ts';
import type { Judge } from './search.ts';

export interface ScenarioJudgeOptions {
  git: Git;
  path: string;
  scenario: string;
  /** Scenario options for every run (--k3s-version, --online, --timeout-scale …). */
  passThrough: readonly string[];
  /** Where each step's install.sh is written (an owned temp dir). */
  tempDir: string;
  /** Where each step's run reports go: <runsDir>/step-<n>-<short>/. */
  runsDir: string;
  runChild: RunChild;
}

function lastLine(file: string): string {
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean) : [];
  return (lines.at(-1) ?? '(no output)').slice(0, 240);
}

export function scenarioJudge(o: ScenarioJudgeOptions): Judge {
  return async (revision, step) => {
    const script = join(o.tempDir, `${revision.short}-${o.path.split('/').pop()}`);
    writeFileSync(script, await o.git.show(revision.hash, o.path));
    chmodSync(script, 0o755);
    const reports = join(o.runsDir, `step-${step}-${revision.short}`);
    const log = join(reports, 'output.log');
    const exit = await o.runChild(['scenario', o.scenario, '--install-sh', script, ...o.passThrough, '--reports', reports], log);
    if (exit.exitCode === 2) throw new UsageError(`step ${step} (${revision.short}): lab scenario refused to run: ${lastLine(log)}`);
    const folder = newestRunFolder(reports);
    let result;
    try {
      result = folder ? readRunResult(folder) : undefined;
    } catch (err) {
      throw new LabError(`step ${step} (${revision.short}): ${oneLine(err)}`);
    }
    if (!result) throw new LabError(`step ${step} (${revision.short}): the run ended without a result (${exit.error ?? `exit ${exit.exitCode ?? exit.signal}`}): ${lastLine(log)} — log: ${log}`);
    const good = exit.exitCode === 0 && result.verdict.ok;
    return { good, line: good ? result.verdict.summary : causeLine(result), reportPath: folder! };
  };
}
