import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reportHtml } from '../../harness/report/html.ts';
import { junitXml } from '../../harness/report/junit.ts';
import { containsSecret } from '../../harness/report/redact.ts';
import { ReportDir, reportDirName } from '../../harness/report/reportDir.ts';
import { exitCodeOf } from '../../harness/report/result.ts';
import { timelineSvg } from '../../harness/report/timelineSvg.ts';
import { sampleResult } from './report-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'report-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('report files', () => {
  it('names the folder by time and scenario', () => {
    expect(reportDirName('three-node-ha', new Date('2026-11-25T18:30:12.345Z'))).toBe('20261125-183012-three-node-ha');
  });

  it('junit.xml has one testcase per step and assertion, failures counted', () => {
    const xml = junitXml(sampleResult());
    expect(xml).toContain('<testsuite name="three-node-ha" tests="7" failures="2" errors="0"');
    expect(xml).toContain('name="no-reinstall" time="0"><failure message="node-3: FAIL — pxelinux.cfg/0A000048 fetched 2×"');
    expect(xml).toContain('name="k3s-in-opt-bin"');
    const errored = junitXml(sampleResult({ outcome: 'error', error: 'node-2 (reached: installing): timed out <after> 8 min' }));
    expect(errored).toContain('errors="1"');
    expect(errored).toContain('<error message="node-2 (reached: installing): timed out &lt;after&gt; 8 min"');
  });

  it('the timeline draws a row per node and a bar per reached phase', () => {
    const svg = timelineSvg(sampleResult());
    expect(svg.match(/class="node-row"/g)).toHaveLength(3);
    expect(svg.match(/class="phase"/g)).toHaveLength(27);
    expect(svg).toContain('<title>node-2: joined at 4m26s — API: Ready</title>');
  });

  it('report.html carries outcome, timeline, every assertion, durations and links', () => {
    const html = reportHtml(sampleResult());
    expect(html).toContain('<span id="outcome" class="badge fail" data-outcome="fail">FAIL</span>');
    expect(html).toContain('<svg id="timeline"');
    for (const a of sampleResult().assertions) expect(html).toContain(`data-assertion="${a.name}"`);
    expect(html).toContain('href="logs/node-3.boot2.console.log"');
    expect(html).toContain('href="logs/dnsmasq.log"');
    expect(html).toContain('href="configs/node-1-ignite-boot.ign"');
  });

  it('exit code: 0 only for pass', () => {
    // The exit code follows the verdict: a pass, or a reproducer's expected failure, is 0.
    expect(exitCodeOf(sampleResult({ outcome: 'pass', verdict: { kind: 'passed', ok: true, summary: 'PASS', reasons: [] } }))).toBe(0);
    expect(exitCodeOf(sampleResult({ outcome: 'fail', expected: 'fail', verdict: { kind: 'reproduced', ok: true, summary: 'expected failure reproduced', reasons: [] } }))).toBe(0);
    expect(exitCodeOf(sampleResult())).toBe(1);
    expect(exitCodeOf(sampleResult({ outcome: 'pass', expected: 'fail', verdict: { kind: 'passed-unexpectedly', ok: false, summary: 'FAIL: passed', reasons: [] } }))).toBe(1);
  });

  it('writes every file redacted: no token survives in any file of the report', () => {
    const token = 'SeedToken0123456789abcdef';
    const report = new ReportDir(join(dir, reportDirName('x', new Date())), [token]);
    const consoleLog = join(dir, 'console.log');
    writeFileSync(consoleLog, `[  OK  ] Started k3s.service\nk3s[700]: server --token ${token}\n`);
    report.copyLog('logs/node-1.boot2.console.log', consoleLog);
    report.copyLog('logs/missing.log', join(dir, 'nope.log'));
    const script = `K3S_TOKEN=${token}\n`;
    report.writeConfig('configs/node-1-ignite-boot.ign', JSON.stringify({ ignition: { version: '3.3.0' }, storage: { files: [{ path: '/etc/k3s.env', contents: { source: `data:;base64,${Buffer.from(script).toString('base64')}` } }] } }));
    report.writeConfig('configs/pxelinux.cfg/0A000046', `append initrd=x k3s.token=${token}\n`);
    report.writeResult(sampleResult({ error: `node-1: timed out\n  | k3s[700]: --token ${token}` }));
    const files = readdirSync(report.path, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    expect(files.map((f) => f.name).sort()).toEqual(['0A000046', 'junit.xml', 'missing.log', 'node-1-ignite-boot.ign', 'node-1.boot2.console.log', 'report.html', 'result.json']);
    for (const f of files) {
      const text = readFileSync(join(f.parentPath, f.name), 'utf8');
      expect(containsSecret(text, [token]), f.name).toBe(false);
    }
    expect(readFileSync(join(report.path, 'logs/node-1.boot2.console.log'), 'utf8')).toContain('server --token <redacted>');
    expect(JSON.parse(readFileSync(join(report.path, 'result.json'), 'utf8')).error).toContain('<redacted>');
  });
});
