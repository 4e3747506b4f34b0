import { phases } from '../scenario/phases.ts';
import { formatAvailability } from '../scenario/availability.ts';
import { formatMs } from '../scenario/waits.ts';
import { xmlEscape as esc } from './junit.ts';
import type { RunResult } from './result.ts';
import { timelineSvg } from './timelineSvg.ts';

const style = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1040px; color: #222; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 10px; color: #fff; font-weight: 600; font-size: 13px; vertical-align: middle; }
.pass { background: #1f7a3a; } .fail { background: #b00020; } .error { background: #8a4b00; }
.meta { color: #555; } .meta span { margin-right: 18px; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #eee; vertical-align: top; }
th { background: #fafafa; font-weight: 600; }
td.ok { color: #1f7a3a; font-weight: 600; } td.bad { color: #b00020; font-weight: 600; }
pre { margin: 0; white-space: pre-wrap; font: 12px/1.4 ui-monospace, monospace; }
pre.error { background: #fff4f4; border-left: 4px solid #b00020; padding: 8px 10px; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
ul.files { columns: 2; }
`;

function offset(ms: number | undefined): string {
  return ms === undefined ? '—' : formatMs(ms);
}

/** The report a person reads: outcome, the timeline picture, assertions, durations, steps and every log. */
export function reportHtml(result: RunResult): string {
  const verdict = result.verdict.kind === 'reproduced' ? 'REPRODUCED' : result.outcome === 'pass' ? 'PASS' : result.outcome === 'fail' ? 'FAIL' : 'ERROR';
  const badge = result.verdict.ok ? 'pass' : result.outcome === 'error' ? 'error' : 'fail';
  const expectNote = result.expected === 'fail' ? ` <span class="meta">(a reproducer: expected to fail for its named reasons — ${esc(result.verdict.ok ? 'it did' : 'it did not')})</span>` : '';
  const assertionRows = result.assertions
    .map((a) => `<tr class="assertion" data-assertion="${esc(a.name)}" data-ok="${a.ok}"><td><code>${esc(a.name)}</code></td><td class="${a.ok ? 'ok' : 'bad'}">${a.ok ? 'pass' : 'FAIL'}</td><td><pre>${esc(a.detail)}</pre></td></tr>`)
    .join('\n');
  const durationHead = phases.map((p) => `<th class="num">${p}</th>`).join('');
  const durationRows = result.nodes
    .map((n) => {
      const cells = phases.map((p) => `<td class="num">${offset(n.marks.find((m) => m.phase === p)?.offsetMs)}</td>`).join('');
      return `<tr><td><b>${esc(n.name)}</b></td>${cells}</tr>`;
    })
    .join('\n');
  const stepRows = result.steps
    .map((s) => `<tr><td>${esc(s.name)}</td><td class="num">${offset(s.offsetMs)}</td><td class="num">${formatMs(s.durationMs)}</td><td class="${s.ok ? 'ok' : 'bad'}">${s.ok ? 'ok' : 'FAIL'}</td><td><pre>${esc(s.error ?? '')}</pre></td></tr>`)
    .join('\n');
  const links: string[] = [];
  for (const n of result.nodes) {
    for (const c of n.consoleLogs) {
      const what = /\.boot\d+\.journal\.log$/.test(c) ? 'journal (streamed)' : c.endsWith('.journal.log') ? 'journal (last boot, over SSH)' : 'console';
      links.push(`<li><a href="${esc(c)}">${esc(n.name)} ${what}: ${esc(c.split('/').pop() ?? c)}</a></li>`);
    }
  }
  if (result.files.dnsmasqLog) links.push(`<li><a href="${esc(result.files.dnsmasqLog)}">dnsmasq log (DHCP, TFTP)</a></li>`);
  if (result.files.mirrorLog) links.push(`<li><a href="${esc(result.files.mirrorLog)}">HTTP mirror access log</a></li>`);
  for (const c of result.files.configs) links.push(`<li><a href="${esc(c)}">config: ${esc(c.replace(/^configs\//, ''))}</a> (K3S_TOKEN redacted)</li>`);
  const artifacts = result.artifacts.map((a) => `<tr><td>${esc(a.name)}</td><td>${esc(a.source)}</td><td><code>${esc(a.sha256 ?? '—')}</code></td></tr>`).join('\n');
  const failures = result.nodes.filter((n) => n.failure).map((n) => `<pre class="error">${esc(n.failure!)}</pre>`).join('\n');

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(result.scenario)} — ${verdict}</title><style>${style}</style></head>
<body>
<h1>${esc(result.scenario)} <span id="outcome" class="badge ${badge}" data-outcome="${result.outcome}">${verdict}</span>${expectNote}</h1>
${result.description ? `<p>${esc(result.description)}</p>` : ''}
<p class="meta"><span>started ${esc(result.startedAt)}</span><span>took ${formatMs(result.durationMs)}</span><span>${esc(result.accel.accel.toUpperCase())} (${esc(result.accel.reason)})</span><span>timeout scale ×${result.timeoutScale}</span></p>
<p id="verdict"><b>${esc(result.verdict.summary)}</b></p>
${causeSection(result)}
${result.error ? `<h2>Run stopped</h2><pre class="error" id="run-error">${esc(result.error)}</pre>` : ''}
${result.diagnosis.length ? `<h2>Why</h2><ul id="diagnosis">${result.diagnosis.map((d) => `<li>${esc(d)}</li>`).join('')}</ul>` : ''}
<h2>Timeline</h2>
${timelineSvg(result)}
${result.availability ? `<p class="meta" id="availability">Kubernetes API, polled each second from its first answer: ${esc(formatAvailability(result.availability))}${result.availability.outages.length ? ` — outages: ${result.availability.outages.map((o) => `${formatMs(o.startMs)}–${formatMs(o.endMs)}`).join(', ')}` : ''}</p>` : ''}
${failures}
<h2>Assertions</h2>
<table id="assertions"><tr><th>assertion</th><th>result</th><th>detail</th></tr>
${assertionRows || '<tr><td colspan="3">no assertions were evaluated</td></tr>'}
</table>
<h2>Phase reached at (from the start of the run)</h2>
<table id="durations"><tr><th>node</th>${durationHead}</tr>
${durationRows}
</table>
<h2>Steps</h2>
<table id="steps"><tr><th>step</th><th class="num">at</th><th class="num">took</th><th>result</th><th></th></tr>
${stepRows}
</table>
<h2>What ran</h2>
<table id="artifacts"><tr><th>part</th><th>source</th><th>sha256</th></tr>
${artifacts}
</table>
<h2>Logs and configs</h2>
<ul class="files" id="files">
${links.join('\n')}
</ul>
</body></html>
`;
}

/** The cause first, with its own lines; then what followed from it, named as consequences. */
function causeSection(result: RunResult): string {
  const parts: string[] = [];
  if (result.cause) {
    const c = result.cause;
    parts.push(`<h2>Cause</h2><pre class="error" id="cause">${esc([c.headline, ...c.lines.slice(1).map((l) => `  | ${l}`)].join('\n'))}</pre>`);
    parts.push(`<p class="meta"><span>node ${esc(c.node)}</span><span>boot ${c.boot}</span>${c.unit ? `<span>unit ${esc(c.unit)}</span>` : ''}<span>seen in the ${esc(c.source)} at ${formatMs(c.offsetMs)}</span></p>`);
  }
  if (result.verdict.reasons.length) {
    parts.push(`<h2>Expected reasons</h2><ul id="reasons">${result.verdict.reasons.map((r) => `<li data-seen="${r.seen}">${r.seen ? 'seen' : '<b>NOT seen</b>'}: ${esc(r.text)}</li>`).join('')}</ul>`);
  }
  if (result.consequences.length) {
    parts.push(`<h2>${result.cause ? 'Consequences' : 'What failed'}</h2><ul id="consequences">${result.consequences.map((c) => `<li>${esc(c)}</li>`).join('')}</ul>`);
  }
  return parts.join('\n');
}
