/** `lab history`: runs over time from their report folders, with regressions flagged (exit 1), and an HTML page with a chart. */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { shownPath } from '../history/shownPath.ts';
import { UsageError } from '../errors.ts';
import { writeFileAtomic } from '../history/atomicWrite.ts';
import { flaggedSeries, loadHistory } from '../history/history.ts';
import { historyHtml } from '../history/historyHtml.ts';
import { historyText } from '../history/historyText.ts';
import { defaultRule, type RegressionRule } from '../history/regressions.ts';
import { reportsRoot } from '../paths.ts';
import { parseCommandArgs } from './args.ts';
import type { LabCommand } from './types.ts';

/** The options `lab history` takes (also read by the CI recipe's test). */
export const options = {
  scenario: { type: 'string' },
  last: { type: 'string' },
  reports: { type: 'string' },
  threshold: { type: 'string' },
  'min-delta': { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const usage = `usage: lab history [--scenario S] [--last N] [--reports DIR] [--threshold PCT] [--min-delta SECONDS] [--out FILE]
  reads every run folder under DIR (default: reports/; also a matrix folder or one a CI restored), groups
  the runs by scenario, install.sh source and k3s, and flags the newest run of a series when its outcome
  flipped (it met its expectation the run before, not now) or a phase took more than PCT % (default 25)
  and SECONDS (default 10) longer than the median of the previous N runs (default 10) on the same
  accelerator. Writes FILE (default DIR/history.html). Exit 0 clean, 1 flagged, 2 bad input.`;

function positiveNumber(flag: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new UsageError(`--${flag} wants a positive ${integer ? 'whole ' : ''}number, not '${text}'`);
  return n;
}

export const command: LabCommand = {
  name: 'history',
  summary: 'outcome and per-phase durations of past runs over time, regressions flagged (exit 1), and an HTML page with a chart',
  async run(argv) {
    const { values, positionals } = parseCommandArgs('history', argv, options);
    if (values.help) {
      console.log(usage);
      return 0;
    }
    if (positionals.length) throw new UsageError(`history takes no arguments, not '${positionals.join(' ')}' (the folder goes after --reports)`);
    const root = resolve(values.reports ?? reportsRoot);
    if (!existsSync(root) || !statSync(root).isDirectory()) throw new UsageError(`--reports: ${root} is not a directory`);
    const rule: RegressionRule = {
      ...defaultRule,
      last: positiveNumber('last', values.last, true) ?? defaultRule.last,
      thresholdPct: positiveNumber('threshold', values.threshold, false) ?? defaultRule.thresholdPct,
      minDeltaMs: (positiveNumber('min-delta', values['min-delta'], false) ?? defaultRule.minDeltaMs / 1000) * 1000,
    };
    const history = loadHistory(root, { ...(values.scenario ? { scenario: values.scenario } : {}), rule });
    if (history.runs === 0) {
      if (values.scenario && history.scenariosSeen.length) throw new UsageError(`no runs of '${values.scenario}' under ${root} (runs seen of: ${history.scenariosSeen.join(', ')})`);
      throw new UsageError(`no run folders (with a result.json) under ${root}${history.skipped.length ? `; unreadable: ${history.skipped[0]}` : ''}`);
    }
    console.log(historyText(history).join('\n'));
    const out = resolve(values.out ?? join(root, 'history.html'));
    writeFileAtomic(out, historyHtml(history, rule, out));
    const flagged = flaggedSeries(history);
    console.log('');
    console.log(`history page: ${shownPath(out)}`);
    if (flagged.length === 0) {
      console.log(`history: no regression in the newest run of ${history.series.length} series`);
      return 0;
    }
    console.log(`history: ${flagged.length} series flagged in their newest run:`);
    for (const s of flagged) for (const f of s.latestFlags) console.log(`  ⚑ ${s.key}: ${f.text}`);
    return 1;
  },
};
