/**
 * The bisect's own report folder: bisect.json (the steps as data) and report.html (each step's
 * revision, verdict and cause line, linking that run's report), written whole after every step,
 * so a bisect stopped half-way still says what it learnt.
 */
import { join, relative } from 'node:path';
import { writeFileAtomic } from '../history/atomicWrite.ts';
import { xmlEscape as esc } from '../report/junit.ts';
import type { BisectPlan } from './revisions.ts';
import type { BisectStep } from './search.ts';

export type BisectEnd =
  | { kind: 'running' }
  | { kind: 'found'; hash: string; subject: string; cause: string }
  | { kind: 'good-fails'; line: string }
  | { kind: 'bad-passes' }
  | { kind: 'stopped'; signal: string }
  | { kind: 'error'; message: string };

export interface BisectRecord {
  repo: string;
  scenario: string;
  passThrough: readonly string[];
  startedAt: string;
  plan: BisectPlan;
  maxRuns: number;
  steps: BisectStep[];
  end: BisectEnd;
}

function endLine(end: BisectEnd): string {
  switch (end.kind) {
    case 'running':
      return 'still running';
    case 'found':
      return `first bad commit: ${end.hash} ${end.subject} — ${end.cause}`;
    case 'good-fails':
      return `the good revision does not meet its expectation (${end.line}): nothing was bisected`;
    case 'bad-passes':
      return 'the bad revision met its expectation: no commit on the path is bad in this scenario';
    case 'stopped':
      return `stopped by ${end.signal}`;
    case 'error':
      return `stopped: ${end.message}`;
  }
}

export function bisectJson(dir: string, r: BisectRecord): string {
  return `${JSON.stringify(
    {
      repo: r.repo,
      path: r.plan.path,
      scenario: r.scenario,
      passThrough: r.passThrough,
      startedAt: r.startedAt,
      updatedAt: new Date().toISOString(),
      good: { hash: r.plan.good.hash, subject: r.plan.good.subject },
      bad: { hash: r.plan.bad.hash, subject: r.plan.bad.subject },
      commitsOnPath: r.plan.onPath,
      revisions: r.plan.revisions.map((v) => ({ hash: v.hash, subject: v.subject })),
      maxRuns: r.maxRuns,
      runs: r.steps.length,
      steps: r.steps.map((s) => ({ step: s.step, hash: s.revision.hash, subject: s.revision.subject, verdict: s.verdict.good ? 'good' : 'bad', line: s.verdict.line, report: s.verdict.reportPath ? join(relative(dir, s.verdict.reportPath), 'report.html') : null })),
      end: r.end,
      summary: endLine(r.end),
    },
    null,
    2,
  )}\n`;
}

export function bisectHtml(dir: string, r: BisectRecord): string {
  const tested = new Map(r.steps.map((s) => [s.revision.hash, s]));
  const first = r.end.kind === 'found' ? r.end.hash : undefined;
  const rows = r.plan.revisions
    .map((v, i) => {
      const s = tested.get(v.hash);
      const verdict = s ? `<td class="${s.verdict.good ? 'ok' : 'bad'}">${s.verdict.good ? 'good' : 'bad'} (step ${s.step})</td>` : '<td class="meta">not run</td>';
      const link = s?.verdict.reportPath ? `<a href="${esc(join(relative(dir, s.verdict.reportPath), 'report.html'))}">report</a>` : '';
      return `<tr${v.hash === first ? ' class="first"' : ''}><td class="num">${i}</td><td><code>${esc(v.short)}</code></td><td>${esc(v.subject)}${i === 0 ? ' <span class="meta">(the good end)</span>' : ''}${v.hash === first ? ' <b>← first bad commit</b>' : ''}</td>${verdict}<td>${esc(s?.verdict.line ?? '')}</td><td>${link}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bisect ${esc(r.plan.path)} — ${esc(r.end.kind)}</title><style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1100px; color: #222; } h1 { font-size: 21px; margin: 0 0 6px; }
.meta { color: #666; } table { border-collapse: collapse; width: 100%; font-size: 13px; margin-top: 12px; } th, td { text-align: left; padding: 5px 7px; border-bottom: 1px solid #eee; vertical-align: top; }
th { background: #fafafa; } .num { text-align: right; } .ok { color: #1f7a3a; font-weight: 600; } .bad { color: #b00020; font-weight: 600; } tr.first { background: #fff4f4; }
</style></head>
<body>
<h1>bisect of ${esc(r.plan.path)}: ${esc(endLine(r.end))}</h1>
<p class="meta">repo ${esc(r.repo)} · scenario ${esc(r.scenario)}${r.passThrough.length ? ` ${esc(r.passThrough.join(' '))}` : ''} · good ${esc(r.plan.good.short)} · bad ${esc(r.plan.bad.short)} · ${r.plan.onPath} commits on the path, ${r.plan.revisions.length - 1} changed ${esc(r.plan.path)} · ${r.steps.length} runs of at most ${r.maxRuns} · started ${esc(r.startedAt)}</p>
<table><tr><th class="num">#</th><th>commit</th><th>subject</th><th>verdict</th><th>cause line</th><th></th></tr>
${rows}
</table>
</body></html>
`;
}

export function writeBisectReport(dir: string, r: BisectRecord): void {
  writeFileAtomic(join(dir, 'bisect.json'), bisectJson(dir, r));
  writeFileAtomic(join(dir, 'report.html'), bisectHtml(dir, r));
}
