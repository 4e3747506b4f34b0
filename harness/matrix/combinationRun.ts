import type { RunResult } from '../report/result.ts';
import type { Combination } from './combination.ts';

/** One combination's run in a matrix, as far as it got. */
export interface CombinationRun {
  combination: Combination;
  /** 1-based place in this (shard's) matrix. */
  ordinal: number;
  /** `<matrix dir>/<combination id>`: what the child got as --reports; its run folder is inside. */
  dir: string;
  /** The child's stdout and stderr. */
  logFile: string;
  status: 'waiting' | 'running' | 'done' | 'stopped';
  startedAt?: string;
  durationMs?: number;
  exitCode?: number | null;
  signal?: string | null;
  /** The run's report folder, when it wrote one. */
  runFolder?: string;
  result?: RunResult;
  /** Why there is no result, in one line (the child's last line, its exit code). */
  problem?: string;
  /** Met its expectation: the child exited 0 and its result says so. */
  ok: boolean;
}

/** The line that says what a finished combination showed. */
export function runSummary(run: CombinationRun): string {
  if (run.result) {
    const { verdict, cause } = run.result;
    return cause && !verdict.summary.includes(cause.headline) ? `${verdict.summary}: ${cause.headline}` : verdict.summary;
  }
  return run.problem ?? run.status;
}
