import type { RunResult } from '../report/result.ts';
import { phases, type Phase } from '../scenario/phases.ts';

/** What a run's time is split into: the time in each phase of the flow, then the whole run. */
export type Measure = Phase | 'total';
export const measures: readonly Measure[] = [...phases, 'total'];

/**
 * When the last node reached each phase, from the run's start (scripts/bench.ts's definition):
 * absent when some node never reached it. A node's first mark of a phase counts.
 */
export function phaseReachedMs(result: Pick<RunResult, 'nodes'>): Partial<Record<Phase, number>> {
  const out: Partial<Record<Phase, number>> = {};
  if (result.nodes.length === 0) return out;
  for (const p of phases) {
    const offsets = result.nodes.map((n) => n.marks.find((m) => m.phase === p)?.offsetMs);
    if (offsets.every((o): o is number => o !== undefined)) out[p] = Math.max(...offsets);
  }
  return out;
}

export interface RunTimes {
  /** Time in each phase (the run report's timeline: from reaching it to reaching the next), and the run's wall time. */
  durations: Partial<Record<Measure, number>>;
  /** From the run's start to the last node's DHCP lease (power-on, PXE ROM). */
  leadMs: number;
  /** The last phase reached: its time runs to the run's end (the checks and faults after `joined`, or where a failed run stopped). */
  lastPhase?: Phase;
}

/**
 * A run's time split by phase, as the timeline draws it but for the slowest node: phase p lasts
 * from when the last node reached p to when the last node reached the next phase it reached.
 * Logs are read at different paces, so an earlier phase's proof may carry a later time: never
 * negative. The parts add up to the run's wall time.
 */
export function runTimes(result: Pick<RunResult, 'nodes' | 'durationMs'>): RunTimes {
  const reached = phaseReachedMs(result);
  const seen = phases.filter((p) => reached[p] !== undefined);
  const durations: Partial<Record<Measure, number>> = {};
  let at = seen.length ? reached[seen[0]!]! : 0;
  const leadMs = at;
  seen.forEach((p, i) => {
    const next = i + 1 < seen.length ? Math.max(at, reached[seen[i + 1]!]!) : Math.max(at, result.durationMs);
    durations[p] = next - at;
    at = next;
  });
  if (result.durationMs > 0) durations.total = result.durationMs;
  return { durations, leadMs, ...(seen.length ? { lastPhase: seen.at(-1)! } : {}) };
}
