import { phases, type Phase } from '../scenario/phases.ts';
import { xmlEscape } from './junit.ts';
import type { RunResult } from './result.ts';

/** One colour per phase, light to dark along the flow so the picture reads left to right. */
export const phaseColors: Record<Phase, string> = {
  dhcp: '#d8e2f0',
  'pxe-config': '#b9cde8',
  live: '#93b4de',
  installing: '#f2c572',
  rebooted: '#e89a52',
  'first-boot': '#b8d98b',
  'k3s-install': '#7fc46a',
  'k3s-ready': '#3f9e4d',
  joined: '#1f6b36',
};

const labelWidth = 120;
const plotWidth = 860;
const rowHeight = 46;
const barHeight = 22;
const top = 34;

function niceStep(totalMs: number): number {
  const candidates = [5, 10, 15, 30, 60, 120, 300, 600, 1200].map((s) => s * 1000);
  return candidates.find((c) => totalMs / c <= 10) ?? 1_800_000;
}

function label(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60 ? String(s % 60).padStart(2, '0') + 's' : ''}`;
}

/**
 * The per-node phase timeline as an SVG picture: one row per node, a coloured bar per phase from
 * the moment it was reached to the next one, a marker per VM start, and the run's node steps
 * (reboot, power cut) as dashed lines. Hovering a bar shows the evidence for that phase.
 */
export function timelineSvg(result: RunResult): string {
  const total = Math.max(result.durationMs, 1000);
  const x = (ms: number) => labelWidth + (Math.min(Math.max(ms, 0), total) / total) * plotWidth;
  const height = top + result.nodes.length * rowHeight + 50;
  const width = labelWidth + plotWidth + 20;
  const parts: string[] = [];
  parts.push(`<svg id="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="phase timeline per node" font-family="sans-serif" font-size="12">`);
  const step = niceStep(total);
  for (let t = 0; t <= total; t += step) {
    parts.push(`<line x1="${x(t)}" y1="${top - 6}" x2="${x(t)}" y2="${top + result.nodes.length * rowHeight}" stroke="#e3e3e3"/>`);
    parts.push(`<text x="${x(t)}" y="${top - 10}" text-anchor="middle" fill="#666">${label(t)}</text>`);
  }
  result.nodes.forEach((node, i) => {
    const y = top + i * rowHeight + (rowHeight - barHeight) / 2;
    parts.push(`<g class="node-row" data-node="${xmlEscape(node.name)}">`);
    parts.push(`<text x="8" y="${y + barHeight / 2 + 4}" font-weight="bold">${xmlEscape(node.name)}</text>`);
    parts.push(`<text x="8" y="${y + barHeight / 2 + 17}" fill="#777" font-size="10">${xmlEscape(node.role)} ${xmlEscape(node.ip)}</text>`);
    parts.push(`<rect x="${labelWidth}" y="${y}" width="${plotWidth}" height="${barHeight}" fill="#f6f6f6"/>`);
    const marks = [...node.marks].sort((a, b) => a.offsetMs - b.offsetMs);
    marks.forEach((m, k) => {
      const end = marks[k + 1]?.offsetMs ?? total;
      const x0 = x(m.offsetMs);
      const w = Math.max(x(end) - x0, 2);
      const tip = `${node.name}: ${m.phase} at ${label(m.offsetMs)} — ${m.evidence}`;
      parts.push(`<rect class="phase" data-phase="${m.phase}" x="${x0.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${phaseColors[m.phase]}" stroke="#fff" stroke-width="0.5"><title>${xmlEscape(tip)}</title></rect>`);
      if (w > 46) parts.push(`<text x="${(x0 + 3).toFixed(1)}" y="${y + 15}" font-size="10" fill="${k >= 6 ? '#fff' : '#222'}" pointer-events="none">${m.phase}</text>`);
    });
    for (const boot of node.boots) {
      const bx = x(boot.offsetMs);
      parts.push(`<path d="M ${bx.toFixed(1)} ${y - 2} l -4 -6 h 8 z" fill="#333"><title>${xmlEscape(`${node.name}: boot ${boot.boot} (${boot.how}) at ${label(boot.offsetMs)}`)}</title></path>`);
    }
    if (node.failure) parts.push(`<text x="${labelWidth + plotWidth + 4}" y="${y + 15}" fill="#b00020" font-weight="bold">✗</text>`);
    parts.push('</g>');
  });
  // Faults: a band from the fault's start to its end across the nodes it hit (all for a lab-wide one).
  for (const f of result.steps.filter((st) => st.fault)) {
    const rows = f.node ? [result.nodes.findIndex((n) => n.name === f.node)].filter((r) => r >= 0) : result.nodes.map((_, r) => r);
    const fx = x(f.offsetMs);
    const fw = Math.max(x(f.offsetMs + f.durationMs) - fx, 3);
    for (const row of rows) {
      parts.push(`<rect class="fault" x="${fx.toFixed(1)}" y="${top + row * rowHeight + 1}" width="${fw.toFixed(1)}" height="${rowHeight - 2}" fill="#b00020" fill-opacity="0.18" stroke="#b00020" stroke-width="1"><title>${xmlEscape(`fault: ${f.name} at ${label(f.offsetMs)} (${label(f.durationMs)})`)}</title></rect>`);
    }
  }
  // API outages as seen by a client: a band under the rows.
  for (const o of result.availability?.outages ?? []) {
    const ox = x(o.startMs);
    parts.push(`<rect class="api-outage" x="${ox.toFixed(1)}" y="${top + result.nodes.length * rowHeight + 2}" width="${Math.max(x(o.endMs) - ox, 2).toFixed(1)}" height="6" fill="#8a4b00"><title>${xmlEscape(`API unanswered from ${label(o.startMs)} to ${label(o.endMs)}`)}</title></rect>`);
  }
  for (const s of result.steps.filter((st) => st.node && !st.fault)) {
    const row = result.nodes.findIndex((n) => n.name === s.node);
    if (row < 0) continue;
    const sx = x(s.offsetMs);
    const y0 = top + row * rowHeight + 2;
    parts.push(`<line class="step" x1="${sx.toFixed(1)}" y1="${y0}" x2="${sx.toFixed(1)}" y2="${y0 + rowHeight - 4}" stroke="#b00020" stroke-dasharray="3,2"><title>${xmlEscape(`${s.name} at ${label(s.offsetMs)}`)}</title></line>`);
  }
  const legendY = top + result.nodes.length * rowHeight + 24;
  let lx = labelWidth;
  for (const p of phases) {
    parts.push(`<rect x="${lx}" y="${legendY - 10}" width="12" height="12" fill="${phaseColors[p]}"/><text x="${lx + 16}" y="${legendY}" font-size="11">${p}</text>`);
    lx += 16 + p.length * 6.5 + 14;
  }
  parts.push('</svg>');
  return parts.join('\n');
}
