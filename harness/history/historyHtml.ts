import { dirname, relative } from 'node:path';
import { xmlEscape as esc } from '../report/junit.ts';
import { formatMs } from '../scenario/waits.ts';
import { chartLegend, historyChartSvg } from './historyChart.ts';
import type { History, SeriesHistory } from './history.ts';
import { measureLabels } from './historyText.ts';
import { measures } from './phaseDurations.ts';
import type { RegressionRule } from './regressions.ts';
import { causeLine } from './runFolder.ts';

const style = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1040px; color: #222; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 30px 0 6px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.meta { color: #555; } table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid #eee; vertical-align: top; } th { background: #fafafa; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; } td:first-child { white-space: nowrap; } .ok { color: #1f7a3a; font-weight: 600; } .bad { color: #b00020; font-weight: 600; }
td.slower { background: #fde7ea; color: #b00020; font-weight: 600; }
ul.flags li { color: #b00020; } ul.notes li { color: #555; }
.key { margin-right: 10px; font-size: 12px; white-space: nowrap; } .key i { display: inline-block; width: 11px; height: 11px; margin-right: 4px; vertical-align: -1px; }
`;

function seriesSection(s: SeriesHistory, outDir: string): string {
  const slower = (runDir: string, m: string) => s.flags.some((f) => f.kind === 'slower' && f.run.dir === runDir && f.measure === m);
  const rows = s.runs
    .map((r) => {
      const link = `${relative(outDir, r.dir) || '.'}/report.html`;
      const cells = measures.map((m) => `<td class="num${slower(r.dir, m) ? ' slower' : ''}">${r.durations[m] === undefined ? '—' : formatMs(r.durations[m]!)}</td>`).join('');
      const cause = r.result.verdict.ok ? '' : esc(causeLine(r.result));
      return `<tr data-ok="${r.result.verdict.ok}"><td><a href="${esc(link)}">${esc(r.result.startedAt.replace('T', ' ').slice(0, 19))}</a></td><td class="${r.result.verdict.ok ? 'ok' : 'bad'}">${esc(r.result.verdict.kind)}</td>${cells}<td>${esc(r.result.accel.accel)}</td><td>${cause}</td></tr>`;
    })
    .join('\n');
  const flagItems = s.flags.map((f) => `<li>${esc(f.run.result.startedAt.slice(0, 16))}: ${esc(f.text)}${s.latestFlags.includes(f) ? '' : ' (an earlier run)'}</li>`).join('');
  const noteItems = s.notes.map((n) => `<li>${esc(n.run.result.startedAt.slice(0, 16))}: ${esc(n.text)}</li>`).join('');
  return `<section class="series" data-flagged="${s.latestFlags.length > 0}">
<h2>${esc(s.key)} <span class="meta">(${s.total} run${s.total === 1 ? '' : 's'}${s.total > s.runs.length ? `, the last ${s.runs.length} shown` : ''})</span></h2>
${historyChartSvg(s.runs, s.flags)}
${flagItems ? `<ul class="flags">${flagItems}</ul>` : ''}${noteItems ? `<ul class="notes">${noteItems}</ul>` : ''}
<table><tr><th>started (UTC)</th><th>verdict</th>${measures.map((m) => `<th class="num">${esc(measureLabels[m])}</th>`).join('')}<th>accel</th><th>cause</th></tr>
${rows}
</table>
</section>`;
}

/** The history page: one chart and table per series, regressions named above each table; no external assets. */
export function historyHtml(h: History, rule: RegressionRule, outFile: string, generatedAt = new Date()): string {
  const outDir = dirname(outFile);
  const flagged = h.series.filter((s) => s.latestFlags.length > 0).length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>flatcar-k3s-lab history — ${flagged ? `${flagged} flagged` : 'clean'}</title><style>${style}</style></head>
<body>
<h1>Run history</h1>
<p class="meta">${h.runs} runs in ${h.series.length} series under ${esc(h.root)} · generated ${esc(generatedAt.toISOString())} · slower = more than ${rule.thresholdPct} % (and ${formatMs(rule.minDeltaMs)}) over the median of the previous ${rule.last} runs on the same accelerator, once there are ${rule.minBaseline} · ${flagged ? `<b class="bad">${flagged} series flagged in their newest run</b>` : '<b class="ok">no regression in the newest runs</b>'}</p>
<p>${chartLegend()}</p>
${h.skipped.length ? `<p class="meta">skipped: ${h.skipped.map(esc).join('<br>')}</p>` : ''}
${h.series.map((s) => seriesSection(s, outDir)).join('\n')}
</body></html>
`;
}
