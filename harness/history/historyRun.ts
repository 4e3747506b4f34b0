import type { RunResult } from '../report/result.ts';
import { combinationOf, seriesKey, type RunCombination } from './combinationOf.ts';
import { runTimes, type Measure } from './phaseDurations.ts';
import type { Phase } from '../scenario/phases.ts';

/** One run as history sees it: where its folder is, what it was, and how long each phase took. */
export interface HistoryRun {
  dir: string;
  result: RunResult;
  combination: RunCombination;
  /** The series it belongs to: scenario, install.sh source, k3s. */
  key: string;
  startedMs: number;
  /** Time in each phase and in all (phaseDurations.ts). */
  durations: Partial<Record<Measure, number>>;
  leadMs: number;
  /** The phase whose time runs to the run's end. */
  lastPhase?: Phase;
}

export function historyRun(dir: string, result: RunResult): HistoryRun {
  const combination = combinationOf(result);
  const started = Date.parse(result.startedAt);
  return { dir, result, combination, key: seriesKey(combination), startedMs: Number.isFinite(started) ? started : 0, ...runTimes(result) };
}
