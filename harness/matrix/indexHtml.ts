import { relative } from 'node:path';
import { xmlEscape as esc } from '../report/junit.ts';
import { formatMs } from '../scenario/waits.ts';
import { runSummary, type CombinationRun } from './combinationRun.ts';
import type { MatrixMeta } from './matrixMeta.ts';

const style = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1180px; color: #222; }
h1 { font-size: 22px; margin: 0 0 4px; } .meta { color: #555; } .meta span { margin-right: 16px; }
table { border-collapse: collapse; width: 100%; margin-top: 14px; font-size: 13px; } th, td { text-align: left; padding: 5px 7px; border-bottom: 1px solid #eee; vertical-align: top; }
th { background: #fafafa; } .num { text-align: right; font-variant-numeric: tabular-nums; } code { font-size: 12px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 9px; color: #fff; font-weight: 600; font-size: 12px; }
.ok { background: #1f7a3a; } .bad { background: #b00020; } .none { background: #8a8a8a; }
`;

function badge(run: CombinationRun): string {
  if (run.ok) return '<span class="badge ok">OK</span>';
  if (run.status === 'waiting') return '<span class="badge none">NOT RUN</span>';
  if (run.status === 'stopped') return '<span class="badge none">STOPPED</span>';
  return `<span class="badge bad">${run.result ? 'FAILED' : 'ERROR'}</span>`;
}

/** The matrix's report.html: one row per combination, linking its run's own report and its log. */
export function matrixIndexHtml(matrixDir: string, runs: readonly CombinationRun[], meta: MatrixMeta): string {
  const link = (path: string | undefined, text: string) => (path ? `<a href="${esc(relative(matrixDir, path))}">${esc(text)}</a>` : '');
  const rows = runs
    .map((r) => {
      const c = r.combination;
      return `<tr data-combination="${esc(c.id)}" data-ok="${r.ok}"><td class="num">${r.ordinal}</td><td><code>${esc(c.id)}</code></td><td>${esc(c.scenario)}</td><td>${esc(c.installSh ?? 'default')}</td><td>${esc(c.k3sVersion ?? 'default')}</td><td>${badge(r)}</td><td>${esc(runSummary(r))}</td><td class="num">${r.durationMs === undefined ? '—' : formatMs(r.durationMs)}</td><td>${link(r.runFolder && `${r.runFolder}/report.html`, 'report')} ${link(r.logFile, 'log')}</td></tr>`;
    })
    .join('\n');
  const okCount = runs.filter((r) => r.ok).length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>matrix — ${okCount}/${runs.length} met their expectation</title><style>${style}</style></head>
<body>
<h1>Matrix: ${okCount} of ${runs.length} combination${runs.length === 1 ? '' : 's'} met their expectation</h1>
<p class="meta"><span>started ${esc(meta.startedAt)}</span><span>finished ${esc(meta.finishedAt ?? '—')}</span><span>${meta.shard ? `shard ${esc(meta.shard)} of ${meta.all} combinations` : `${meta.all} combinations`}</span><span>${esc(meta.jobs)}</span>${meta.stoppedBy ? `<span><b>stopped by ${esc(meta.stoppedBy)}</b></span>` : ''}</p>
<p class="meta">All runs in one JUnit file: <a href="junit.xml">junit.xml</a> (a testsuite per combination) · machine-readable: <a href="matrix.json">matrix.json</a></p>
<table><tr><th class="num">#</th><th>combination</th><th>scenario</th><th>install.sh</th><th>k3s</th><th>verdict</th><th>what it showed</th><th class="num">time</th><th>files</th></tr>
${rows}
</table>
</body></html>
`;
}
