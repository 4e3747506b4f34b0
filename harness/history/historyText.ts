import { shownPath } from './shownPath.ts';
import type { Flag } from './regressions.ts';
import type { History, SeriesHistory } from './history.ts';
import type { HistoryRun } from './historyRun.ts';
import { measures, type Measure } from './phaseDurations.ts';

/** Column heads short enough for one line per run in an 120-column terminal. */
export const measureLabels: Record<Measure, string> = {
  dhcp: 'dhcp',
  'pxe-config': 'pxe',
  live: 'live',
  installing: 'inst',
  rebooted: 'boot',
  'first-boot': '1st',
  'k3s-install': 'k3s-i',
  'k3s-ready': 'k3s-r',
  joined: 'join',
  total: 'total',
};

function when(run: HistoryRun): string {
  return run.result.startedAt.replace('T', ' ').slice(0, 16);
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? '—' : `${Math.round(ms / 1000)}`;
}

function runLine(run: HistoryRun, flags: Flag[]): string {
  const slower = new Set(flags.filter((f) => f.run === run && f.kind === 'slower').map((f) => (f.kind === 'slower' ? f.measure : '')));
  const flipped = flags.some((f) => f.run === run && f.kind === 'flipped');
  const verdict = `${run.result.verdict.ok ? '✓' : '✗'} ${run.result.verdict.kind}`;
  const cells = measures.map((m) => `${seconds(run.durations[m])}${slower.has(m) ? '!' : ' '}`.padStart(7));
  return `  ${when(run)}  ${verdict.padEnd(21)}${cells.join('')}  ${run.result.accel.accel}${flipped || slower.size ? '  ⚑' : ''}`;
}

function seriesLines(s: SeriesHistory, cwd: string): string[] {
  const head = `  ${'started (UTC)'.padEnd(16)}  ${'verdict'.padEnd(21)}${measures.map((m) => measureLabels[m].padStart(6) + ' ').join('')}  accel`;
  const out = [`${s.key} — ${s.total} run${s.total === 1 ? '' : 's'}${s.total > s.runs.length ? `, the last ${s.runs.length} shown` : ''} (seconds per phase; ! slower)`, head];
  for (const r of s.runs) out.push(runLine(r, s.flags));
  for (const f of s.flags) out.push(`  ${s.latestFlags.includes(f) ? '⚑' : '·'} ${when(f.run)}: ${f.text}${s.latestFlags.includes(f) ? '' : ' (an earlier run)'}`);
  for (const n of s.notes) out.push(`  · ${when(n.run)}: ${n.text}`);
  const newest = s.runs.at(-1);
  if (newest) out.push(`  newest: ${shownPath(newest.dir, cwd)}/report.html`);
  return out;
}

/** The terminal's view: one block per series, its runs oldest first, then what was flagged. */
export function historyText(h: History, cwd = process.cwd()): string[] {
  const out: string[] = [`history: ${h.runs} run${h.runs === 1 ? '' : 's'} in ${h.series.length} series under ${shownPath(h.root, cwd)}`];
  for (const line of h.skipped) out.push(`  skipped: ${line}`);
  for (const s of h.series) out.push('', ...seriesLines(s, cwd));
  return out;
}
