/**
 * One series as an inline SVG: a stacked bar per run (oldest left), the time in each phase in the
 * colour the run report's timeline uses (power-on to DHCP in light grey), a dot above for the verdict
 * and a red outline on a flagged run. Hovering a bar names the run and its phases.
 */
import { xmlEscape as esc } from '../report/junit.ts';
import { phaseColors } from '../report/timelineSvg.ts';
import { phases } from '../scenario/phases.ts';
import type { Flag } from './regressions.ts';
import type { HistoryRun } from './historyRun.ts';

const width = 980;
const height = 250;
const left = 56;
const right = 12;
const top = 22;
const bottom = 38;
const restColor = '#cfcfcf';
const leadColor = '#ececec';

function niceMax(ms: number): number {
  const steps = [60, 120, 300, 600, 900, 1200, 1800, 3600].map((s) => s * 1000);
  return steps.find((s) => s >= ms) ?? Math.ceil(ms / 3_600_000) * 3_600_000;
}

export function historyChartSvg(runs: readonly HistoryRun[], flags: readonly Flag[]): string {
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const maxMs = niceMax(Math.max(60_000, ...runs.map((r) => r.durations.total ?? 0)));
  const y = (ms: number) => top + plotH - (ms / maxMs) * plotH;
  const slot = plotW / Math.max(1, runs.length);
  const barW = Math.min(44, slot * 0.7);
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const ms = (maxMs / 4) * i;
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${y(ms).toFixed(1)}" y2="${y(ms).toFixed(1)}" stroke="#eee"/>`);
    parts.push(`<text x="${left - 6}" y="${(y(ms) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#666">${Math.round(ms / 1000)} s</text>`);
  }
  runs.forEach((run, i) => {
    const x = left + slot * i + (slot - barW) / 2;
    let acc = run.leadMs;
    const tip = [`${run.result.startedAt} · ${run.result.verdict.kind}`];
    if (acc > 0) parts.push(`<rect class="seg" data-phase="lead" x="${x.toFixed(1)}" y="${y(acc).toFixed(1)}" width="${barW.toFixed(1)}" height="${(y(0) - y(acc)).toFixed(1)}" fill="${leadColor}"/>`);
    for (const p of phases) {
      const d = run.durations[p];
      if (d === undefined) continue;
      parts.push(`<rect class="seg" data-phase="${p}" x="${x.toFixed(1)}" y="${y(acc + d).toFixed(1)}" width="${barW.toFixed(1)}" height="${Math.max(0, y(acc) - y(acc + d)).toFixed(1)}" fill="${phaseColors[p]}"/>`);
      acc += d;
      tip.push(`${p} ${Math.round(d / 1000)} s`);
    }
    const total = run.durations.total ?? acc;
    if (total > acc) parts.push(`<rect class="seg" data-phase="rest" x="${x.toFixed(1)}" y="${y(total).toFixed(1)}" width="${barW.toFixed(1)}" height="${(y(acc) - y(total)).toFixed(1)}" fill="${restColor}"/>`);
    tip.push(`total ${Math.round(total / 1000)} s`);
    const flagged = flags.filter((f) => f.run === run);
    for (const f of flagged) tip.push(`⚑ ${f.text}`);
    if (flagged.length) parts.push(`<rect class="flagged" x="${(x - 2).toFixed(1)}" y="${(y(total) - 2).toFixed(1)}" width="${(barW + 4).toFixed(1)}" height="${(y(0) - y(total) + 4).toFixed(1)}" fill="none" stroke="#b00020" stroke-width="2"/>`);
    parts.push(`<circle class="verdict" data-ok="${run.result.verdict.ok}" cx="${(x + barW / 2).toFixed(1)}" cy="${(y(total) - 9).toFixed(1)}" r="4.5" fill="${run.result.verdict.ok ? '#1f7a3a' : '#b00020'}"/>`);
    parts.push(`<text x="${(x + barW / 2).toFixed(1)}" y="${height - bottom + 14}" text-anchor="middle" font-size="10" fill="#444">${esc(run.result.startedAt.slice(5, 10))}</text>`);
    parts.push(`<text x="${(x + barW / 2).toFixed(1)}" y="${height - bottom + 26}" text-anchor="middle" font-size="10" fill="#888">${esc(run.result.startedAt.slice(11, 16))}</text>`);
    parts.push(`<rect x="${(left + slot * i).toFixed(1)}" y="${top}" width="${slot.toFixed(1)}" height="${plotH}" fill="transparent"><title>${esc(tip.join('\n'))}</title></rect>`);
  });
  return `<svg class="history-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="phase durations per run">${parts.join('')}</svg>`;
}

/** The colour key under the charts. */
export function chartLegend(): string {
  const items = [['power-on to DHCP', leadColor] as const, ...phases.map((p) => [p, phaseColors[p]] as const), ['no phase observed', restColor] as const];
  return items.map(([name, color]) => `<span class="key"><i style="background:${color}"></i>${esc(name)}</span>`).join(' ');
}
