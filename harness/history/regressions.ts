/**
 * The regressions history flags, each judged against the runs before it in its series:
 *   flipped — the run did not meet its expectation and the run before it did;
 *   slower  — the time in a phase (or the whole run) was longer than the median of the previous N runs by
 *             more than the threshold (25 % unless told), and by at least minDeltaMs.
 * Durations are only compared between runs on the same accelerator (a runner that lost KVM is
 * 2× slower without any regression) and against baseline runs that met their expectation.
 */
import { formatMs } from '../scenario/waits.ts';
import { causeLine } from './runFolder.ts';
import type { HistoryRun } from './historyRun.ts';
import { measures, type Measure } from './phaseDurations.ts';

export interface RegressionRule {
  /** How many earlier runs the median is taken over (and how many runs a series shows). */
  last: number;
  /** Percent over the median that counts as slower. */
  thresholdPct: number;
  /** A phase of a few seconds jitters by more than 25 %: smaller differences are never flagged. */
  minDeltaMs: number;
  /** A median of fewer runs than this says little; no slower flag until the series has them. */
  minBaseline: number;
}

export const defaultRule: RegressionRule = { last: 10, thresholdPct: 25, minDeltaMs: 10_000, minBaseline: 3 };

export type Flag =
  | { kind: 'flipped'; run: HistoryRun; previous: HistoryRun; text: string }
  | { kind: 'slower'; run: HistoryRun; measure: Measure; valueMs: number; medianMs: number; baseline: number; text: string };

/** What is worth saying about a run that is not a regression: a recovery, a changed install.sh. */
export interface RunNote {
  run: HistoryRun;
  text: string;
}

export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The flags and notes of one run, given every run of its series before it (oldest first). */
export function judgeRun(run: HistoryRun, before: readonly HistoryRun[], rule: RegressionRule): { flags: Flag[]; notes: RunNote[] } {
  const flags: Flag[] = [];
  const notes: RunNote[] = [];
  const previous = before.at(-1);
  if (previous) {
    const was = previous.result.verdict.ok;
    const now = run.result.verdict.ok;
    if (was && !now) flags.push({ kind: 'flipped', run, previous, text: `outcome flipped: met its expectation on ${previous.result.startedAt}, now ${run.result.verdict.kind}: ${causeLine(run.result)}` });
    if (!was && now) notes.push({ run, text: `recovered: met its expectation again (the run before was ${previous.result.verdict.kind})` });
    const a = previous.combination.installShSha256;
    const b = run.combination.installShSha256;
    if (a && b && a !== b) notes.push({ run, text: `install.sh changed: sha256 ${a.slice(0, 12)}… → ${b.slice(0, 12)}…` });
  }
  const baseline = before.filter((r) => r.result.verdict.ok && r.result.accel.accel === run.result.accel.accel).slice(-rule.last);
  for (const measure of measures) {
    const value = run.durations[measure];
    // A failed run's wall time, and the time in the phase it stopped in, say when it stopped, not how fast it went.
    if (value === undefined || (!run.result.verdict.ok && (measure === 'total' || measure === run.lastPhase))) continue;
    const values = baseline.map((r) => r.durations[measure]).filter((v): v is number => v !== undefined);
    if (values.length < rule.minBaseline) continue;
    const m = median(values);
    if (value > m * (1 + rule.thresholdPct / 100) && value - m >= rule.minDeltaMs) {
      const pct = m > 0 ? Math.round((value / m - 1) * 100) : Infinity;
      flags.push({ kind: 'slower', run, measure, valueMs: value, medianMs: m, baseline: values.length, text: `${measure} slower: ${formatMs(value)} vs a median of ${formatMs(m)} over the previous ${values.length} runs (+${pct} %, over the ${rule.thresholdPct} % threshold)` });
    }
  }
  return { flags, notes };
}
