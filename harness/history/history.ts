/**
 * `lab history` as data: every run folder under a root, grouped into series (scenario, install.sh
 * source, k3s), oldest first, each run judged against the runs before it. Only the newest run of
 * a series decides the exit code: a regression is flagged on the night it appears, and the runs
 * shown before it keep their marks for the picture.
 */
import { oneLine } from '../errors.ts';
import { historyRun, type HistoryRun } from './historyRun.ts';
import { judgeRun, type Flag, type RegressionRule, type RunNote } from './regressions.ts';
import { findRunFolders, readRunResult } from './runFolder.ts';

export interface SeriesHistory {
  key: string;
  /** The runs shown: the last `rule.last`, oldest first. */
  runs: HistoryRun[];
  /** How many runs the series has in all. */
  total: number;
  flags: Flag[];
  notes: RunNote[];
  /** The flags of the newest run: what the exit code is about. */
  latestFlags: Flag[];
}

export interface History {
  root: string;
  series: SeriesHistory[];
  runs: number;
  /** Folders whose result.json could not be read, one line each. */
  skipped: string[];
  /** Scenarios seen before the --scenario filter (for the error when none matched). */
  scenariosSeen: string[];
}

export function loadHistory(root: string, opts: { scenario?: string; rule: RegressionRule }): History {
  const skipped: string[] = [];
  const all: HistoryRun[] = [];
  for (const dir of findRunFolders(root)) {
    try {
      all.push(historyRun(dir, readRunResult(dir)));
    } catch (err) {
      skipped.push(oneLine(err));
    }
  }
  const scenariosSeen = [...new Set(all.map((r) => r.result.scenario))].sort();
  const runs = opts.scenario ? all.filter((r) => r.result.scenario === opts.scenario) : all;
  const byKey = new Map<string, HistoryRun[]>();
  for (const r of runs) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
  const series = [...byKey.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, list]) => judgeSeries(key, list.sort((a, b) => a.startedMs - b.startedMs || a.dir.localeCompare(b.dir)), opts.rule));
  return { root, series, runs: runs.length, skipped, scenariosSeen };
}

function judgeSeries(key: string, sorted: HistoryRun[], rule: RegressionRule): SeriesHistory {
  const firstShown = Math.max(0, sorted.length - rule.last);
  const flags: Flag[] = [];
  const notes: RunNote[] = [];
  let latestFlags: Flag[] = [];
  for (let i = firstShown; i < sorted.length; i++) {
    const judged = judgeRun(sorted[i]!, sorted.slice(0, i), rule);
    flags.push(...judged.flags);
    notes.push(...judged.notes);
    if (i === sorted.length - 1) latestFlags = judged.flags;
  }
  return { key, runs: sorted.slice(firstShown), total: sorted.length, flags, notes, latestFlags };
}

export function flaggedSeries(h: History): SeriesHistory[] {
  return h.series.filter((s) => s.latestFlags.length > 0);
}
