/**
 * A matrix from start to end: each combination a child `lab scenario … --reports <dir>/<id>`,
 * started as capacity allows, a progress line when it starts and when it ends, and the matrix's
 * own files written whole at the end — or, when the matrix is stopped, after the children's
 * teardown, with what had finished.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shownPath } from '../history/shownPath.ts';
import { oneLine } from '../errors.ts';
import { newestRunFolder, readRunResult } from '../history/runFolder.ts';
import { formatMs } from '../scenario/waits.ts';
import type { Combination } from './combination.ts';
import { runSummary, type CombinationRun } from './combinationRun.ts';
import { needOf, type Capacity } from './jobs.ts';
import type { ChildExit } from './labChild.ts';
import type { MatrixMeta } from './matrixMeta.ts';
import { writeMatrixOutputs } from './matrixOutputs.ts';
import { runScheduled } from './scheduler.ts';

export type RunChild = (args: string[], logFile: string) => Promise<ChildExit>;

export interface MatrixRunOptions {
  combinations: readonly Combination[];
  matrixDir: string;
  capacity: Capacity;
  /** Scenario options every child gets (--online, --timeout-scale …). */
  passThrough: readonly string[];
  meta: Omit<MatrixMeta, 'finishedAt' | 'stoppedBy'>;
  /** True once the matrix is being stopped: nothing more is started. */
  stopped?: () => boolean;
  out?: (line: string) => void;
}

/** The `lab scenario` arguments of one combination. */
export function scenarioArgs(c: Combination, passThrough: readonly string[], reportsDir: string): string[] {
  return [
    'scenario',
    c.scenario,
    ...(c.installSh !== undefined ? ['--install-sh', c.installSh] : []),
    // `double` names the offline default in a matrix axis; `lab scenario` takes it by saying nothing.
    ...(c.k3sVersion !== undefined && c.k3sVersion !== 'double' ? ['--k3s-version', c.k3sVersion] : []),
    ...passThrough,
    '--reports',
    reportsDir,
  ];
}

function lastLogLine(file: string): string {
  if (!existsSync(file)) return '(no output)';
  const lines = readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
  return (lines.at(-1) ?? '(no output)').slice(0, 240);
}

/** 0: every combination met its expectation (or the shard had none); 2: every child refused its input; else 1. */
export function matrixExitCode(runs: readonly CombinationRun[]): number {
  if (runs.length && runs.every((r) => r.exitCode === 2)) return 2;
  return runs.every((r) => r.ok) ? 0 : 1;
}

export class MatrixRun {
  readonly runs: CombinationRun[];
  #running = 0;

  constructor(readonly opts: MatrixRunOptions) {
    this.runs = opts.combinations.map((combination, i) => {
      const dir = join(opts.matrixDir, combination.id);
      return { combination, ordinal: i + 1, dir, logFile: join(dir, 'output.log'), status: 'waiting', ok: false };
    });
  }

  #say(line: string): void {
    (this.opts.out ?? console.log)(`matrix: ${line}`);
  }

  #rel(path: string): string {
    return shownPath(path);
  }

  async run(runChild: RunChild): Promise<number> {
    await runScheduled(this.runs, (r) => needOf(r.combination.nodes), this.opts.capacity, (r) => this.#runOne(r, runChild), this.opts.stopped);
    this.writeOutputs();
    const ok = this.runs.filter((r) => r.ok).length;
    this.#say(`${ok} of ${this.runs.length} combination${this.runs.length === 1 ? '' : 's'} met their expectation`);
    this.#say(`junit: ${this.#rel(join(this.opts.matrixDir, 'junit.xml'))}`);
    this.#say(`report: ${this.#rel(join(this.opts.matrixDir, 'report.html'))}`);
    return matrixExitCode(this.runs);
  }

  async #runOne(run: CombinationRun, runChild: RunChild): Promise<void> {
    const tag = `[${run.ordinal}/${this.runs.length}]`;
    const c = run.combination;
    run.status = 'running';
    run.startedAt = new Date().toISOString();
    this.#running++;
    this.#say(`${tag} start  ${c.id} (${c.nodes} node${c.nodes === 1 ? '' : 's'}; ${this.#running} running)`);
    const started = Date.now();
    const exit = await runChild(scenarioArgs(c, this.opts.passThrough, run.dir), run.logFile);
    this.#running--;
    run.durationMs = Date.now() - started;
    run.exitCode = exit.exitCode;
    run.signal = exit.signal;
    const folder = newestRunFolder(run.dir);
    if (folder) {
      try {
        run.result = readRunResult(folder);
        run.runFolder = folder;
      } catch (err) {
        run.problem = oneLine(err);
      }
    }
    const stopped = !run.result && this.opts.stopped?.() === true;
    if (!run.result && !stopped) run.problem ??= exit.error ?? `exit ${exit.exitCode ?? exit.signal}: ${lastLogLine(run.logFile)}`;
    run.ok = exit.exitCode === 0 && run.result?.verdict.ok === true;
    run.status = stopped ? 'stopped' : 'done';
    if (stopped) run.problem ??= `stopped before it finished (exit ${exit.exitCode ?? exit.signal})`;
    const word = run.ok ? 'ok   ' : run.result ? 'FAIL ' : 'ERROR';
    const where = run.runFolder ? `${this.#rel(run.runFolder)}/report.html` : `log: ${this.#rel(run.logFile)}`;
    this.#say(`${tag} ${word} ${c.id} (${formatMs(run.durationMs)}): ${runSummary(run)} → ${where}`);
  }

  /** junit.xml, report.html and matrix.json from what is known now; a stop marks what still ran. */
  writeOutputs(stoppedBy?: string): void {
    if (stoppedBy) {
      // Whether a stopped child's exit was seen before this or not, it says the same.
      for (const r of this.runs) {
        if (r.result || (r.status !== 'running' && r.status !== 'stopped')) continue;
        r.status = 'stopped';
        r.problem = `stopped by ${stoppedBy} before it finished`;
      }
      for (const r of this.runs) if (r.status === 'waiting') r.problem ??= `not started: the matrix was stopped by ${stoppedBy}`;
    }
    writeMatrixOutputs(this.opts.matrixDir, this.runs, { ...this.opts.meta, finishedAt: new Date().toISOString(), ...(stoppedBy ? { stoppedBy } : {}) });
  }
}
