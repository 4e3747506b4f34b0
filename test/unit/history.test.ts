import { execa } from 'execa';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lab, refusalLine } from './support/labCli.ts';
import { loadHistory } from '../../harness/history/history.ts';
import { runTimes } from '../../harness/history/phaseDurations.ts';
import { defaultRule } from '../../harness/history/regressions.ts';
import { ReportDir, reportDirName } from '../../harness/report/reportDir.ts';
import type { RunResult } from '../../harness/report/result.ts';
import { sampleResult } from './report-fixture.ts';

const root = mkdtempSync(join(tmpdir(), 'lab-history-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));


const regressionFixture = 'install.sh FIXTURE in its pr13712 mode (k3s PR #13712\'s Flatcar regression) (flatcar-k3s-lab stand-in written from install.sh\'s documented behaviour; not k3s\'s script)';

interface Night {
  day: number;
  scenario?: string;
  /** Seconds added to the time in `installing` (every mark from `rebooted` on moves). */
  slowerInstall?: number;
  verdict?: RunResult['verdict'];
  accel?: string;
  installSh?: string;
}

/** A finished run as the harness writes it, for one night: pass by default, the sample's three nodes. */
function night(n: Night): RunResult {
  const base = sampleResult();
  const shift = (n.slowerInstall ?? 0) * 1000;
  const from = ['rebooted', 'first-boot', 'k3s-install', 'k3s-ready', 'joined'];
  const startedAt = `2026-11-${String(n.day).padStart(2, '0')}T02:00:00.000Z`;
  const verdict = n.verdict ?? { kind: 'passed', ok: true, summary: 'PASS', reasons: [] };
  return {
    ...base,
    scenario: n.scenario ?? 'three-node-ha',
    startedAt,
    finishedAt: new Date(Date.parse(startedAt) + 300_000 + shift).toISOString(),
    durationMs: 300_000 + shift,
    outcome: verdict.kind === 'passed' ? 'pass' : 'fail',
    expected: verdict.kind === 'reproduced' ? 'fail' : 'pass',
    verdict,
    consequences: [],
    accel: { accel: n.accel ?? 'tcg', reason: 'test' },
    artifacts: base.artifacts.map((a) => (a.name === 'install.sh' && n.installSh ? { ...a, source: n.installSh } : a)),
    nodes: base.nodes.map((node) => ({ ...node, marks: node.marks.map((m) => (from.includes(m.phase) ? { ...m, offsetMs: m.offsetMs + shift } : m)) })),
    assertions: base.assertions.map((a) => ({ ...a, ok: verdict.ok })),
    ...(verdict.ok ? {} : { cause: { node: 'node-1', boot: 2, unit: 'k3s-install.service', reason: 'failed', lines: ['[ERROR]  boom'], source: 'journal' as const, offsetMs: 200_000, headline: 'node-1 boot 2: k3s-install.service failed: [ERROR]  boom' } }),
  };
}

/** Writes each night's run into <dir>/night-<d>/<time>-matrix/<id>/<time>-<scenario>/, as a nightly matrix leaves them. */
function writeNights(dir: string, nights: Night[]): void {
  for (const n of nights) {
    const r = night(n);
    const at = new Date(r.startedAt);
    const run = join(dir, `night-${n.day}`, reportDirName('matrix', at), r.scenario, reportDirName(r.scenario, at));
    new ReportDir(run, []).writeResult(r);
  }
}

const reproduced: RunResult['verdict'] = { kind: 'reproduced', ok: true, summary: 'expected failure reproduced: node-1 boot 2: k3s-install.service failed: [ERROR]  Failed to find the k3s-selinux policy', reasons: [] };
const otherwise: RunResult['verdict'] = { kind: 'failed-otherwise', ok: false, summary: 'failed otherwise: node-1 boot 2: k3s-install.service failed: [ERROR]  boom', reasons: [] };

describe('lab history', () => {
  it("splits a run's time by phase as the timeline does, for the slowest node, adding up to the wall time", () => {
    const t = runTimes(night({ day: 1 }));
    // node-3 (8 s behind node-1) is the last to reach each phase.
    expect(t.leadMs).toBe(17_000);
    expect(t.durations.installing).toBe(75_000);
    expect(t.durations.joined).toBe(300_000 - 270_000);
    expect(t.lastPhase).toBe('joined');
    const sum = t.leadMs + Object.entries(t.durations).filter(([k]) => k !== 'total').reduce((s, [, v]) => s + v!, 0);
    expect(sum).toBe(t.durations.total);
  });

  it('passes clean copied report folders: exit 0, a page with a chart', async () => {
    const src = join(root, 'clean-src');
    writeNights(src, [1, 2, 3, 4, 5].map((day) => ({ day, slowerInstall: day % 2 ? 2 : 0 })));
    const restored = join(root, 'clean-restored');
    cpSync(src, restored, { recursive: true });
    const r = await lab(['history', '--reports', restored]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('history: 5 runs in 1 series under');
    expect(r.stdout).toContain('three-node-ha · install.sh fixture · k3s double — 5 runs');
    expect(r.stdout).toContain('history: no regression in the newest run of 1 series');
    const page = readFileSync(join(restored, 'history.html'), 'utf8');
    expect(page).toContain('<svg class="history-chart"');
    expect(page.match(/class="verdict" data-ok="true"/g)).toHaveLength(5);
    // Inline only; every link is a run's report in the restored folder.
    expect(page).not.toMatch(/src=|href="https?:/);
    const links = [...page.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!);
    expect(links).toHaveLength(5);
    for (const l of links) expect(readFileSync(join(restored, l), 'utf8')).toContain('<!doctype html>');
  });

  it('flags a planted regression in copied report folders: a slower phase and a flipped outcome, exit 1', async () => {
    const src = join(root, 'planted-src');
    writeNights(src, [
      ...[1, 2, 3, 4].map((day) => ({ day })),
      { day: 5, slowerInstall: 60 },
      ...[1, 2, 3, 4].map((day) => ({ day, scenario: 'install-sh-regression', installSh: regressionFixture, verdict: reproduced })),
      { day: 5, scenario: 'install-sh-regression', installSh: regressionFixture, verdict: otherwise },
    ]);
    const restored = join(root, 'planted-restored');
    cpSync(src, restored, { recursive: true });
    const out = join(root, 'planted.html');
    const r = await lab(['history', '--reports', restored, '--out', out]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('install-sh-regression · install.sh fixture:pr13712 · k3s double — 5 runs');
    expect(r.stdout).toContain('history: 2 series flagged in their newest run:');
    expect(r.stdout).toContain('⚑ three-node-ha · install.sh fixture · k3s double: installing slower: 2 min 15 s vs a median of 1 min 15 s over the previous 4 runs (+80 %, over the 25 % threshold)');
    expect(r.stdout).toMatch(/⚑ install-sh-regression · install\.sh fixture:pr13712 · k3s double: outcome flipped: met its expectation on 2026-11-04T02:00:00\.000Z, now failed-otherwise: node-1 boot 2: k3s-install\.service failed: \[ERROR\] {2}boom/);
    // The slow night's installing cell is marked in the terminal table and on the page.
    expect(r.stdout).toMatch(/2026-11-05 02:00 {2}✓ passed .* 135! /);
    const page = readFileSync(out, 'utf8');
    expect(page).toContain('<td class="num slower">2 min 15 s</td>');
    expect(page.match(/class="flagged"/g)).toHaveLength(2);

    // A higher threshold leaves only the flip; the same folders, only one scenario: only the slower phase.
    const lenient = await lab(['history', '--reports', restored, '--out', out, '--threshold', '100']);
    expect(lenient.stdout).not.toContain('installing slower');
    expect(lenient.exitCode).toBe(1);
    const one = await lab(['history', '--reports', restored, '--out', out, '--scenario', 'three-node-ha']);
    expect(one.stdout).toContain('history: 1 series flagged');
    expect(one.stdout).not.toContain('install-sh-regression');
  });

  it('judges only the newest run for the exit code; a recovery and an earlier regression are shown, not flagged', () => {
    const dir = join(root, 'recovered');
    writeNights(dir, [
      ...[1, 2, 3].map((day) => ({ day })),
      { day: 4, verdict: { kind: 'failed', ok: false, summary: 'FAIL', reasons: [] } },
      { day: 5 },
    ]);
    const h = loadHistory(dir, { rule: defaultRule });
    const [s] = h.series;
    expect(s!.latestFlags).toEqual([]);
    expect(s!.flags.map((f) => f.kind)).toEqual(['flipped']);
    expect(s!.notes.map((n) => n.text)).toEqual(['recovered: met its expectation again (the run before was failed)']);
  });

  it('compares durations on the same accelerator only, and needs three earlier runs before it calls a phase slower', () => {
    const dir = join(root, 'accel');
    writeNights(dir, [...[1, 2, 3, 4].map((day) => ({ day, accel: 'kvm' })), { day: 5, accel: 'tcg', slowerInstall: 120 }]);
    expect(loadHistory(dir, { rule: defaultRule }).series[0]!.latestFlags).toEqual([]);
    const few = join(root, 'few');
    writeNights(few, [{ day: 1 }, { day: 2 }, { day: 3, slowerInstall: 120 }]);
    expect(loadHistory(few, { rule: defaultRule }).series[0]!.latestFlags).toEqual([]);
  });

  it('reads result.json files written before verdicts existed, and skips an unreadable one with a line', async () => {
    const dir = join(root, 'old');
    writeNights(dir, [{ day: 1 }, { day: 2 }]);
    const old = night({ day: 3 }) as Partial<RunResult>;
    delete old.verdict;
    delete old.consequences;
    delete old.terminalEvents;
    const oldDir = join(dir, 'night-3', reportDirName('three-node-ha', new Date(old.startedAt!)));
    mkdirSync(oldDir, { recursive: true });
    writeFileSync(join(oldDir, 'result.json'), JSON.stringify(old));
    const broken = join(dir, 'broken', '20261104-020000-three-node-ha');
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, 'result.json'), '{"scenario": ');
    const r = await lab(['history', '--reports', dir]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('three-node-ha · install.sh fixture · k3s double — 3 runs');
    expect(r.stdout).toMatch(/skipped: .*broken\/20261104-020000-three-node-ha\/result\.json: not JSON/);
  });

  // One test per case: each is a CLI start, seconds apiece on a busy 2-core machine.
  const empty = join(root, 'empty');
  const some = join(root, 'some');
  const badInput: [string[], RegExp][] = [
    [['history', '--reports', join(root, 'nope')], /^lab: --reports: .*nope is not a directory$/],
    [['history', '--reports', empty], /^lab: no run folders \(with a result\.json\) under /],
    [['history', '--reports', some, '--scenario', 'single-node'], /^lab: no runs of 'single-node' under .* \(runs seen of: three-node-ha\)$/],
    [['history', '--reports', some, '--last', '0'], /^lab: --last wants a positive whole number, not '0'$/],
    [['history', '--reports', some, '--threshold', 'x'], /^lab: --threshold wants a positive number, not 'x'$/],
    [['history', 'extra'], /^lab: history takes no arguments/],
  ];
  it.each(badInput.map(([args, line]) => [line.source, args, line] as const))('bad input is one line and exit 2: %s', async (_name, args, line) => {
    mkdirSync(empty, { recursive: true });
    writeNights(some, [{ day: 1 }]);
    expect(refusalLine(await lab(args), args.join(' '))).toMatch(line);
  });
});
