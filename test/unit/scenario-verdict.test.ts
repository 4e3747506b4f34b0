import { describe, expect, it } from 'vitest';
import { exitCodeOf } from '../../harness/report/result.ts';
import { judgeVerdict, type Expectation } from '../../harness/scenario/verdict.ts';
import type { TerminalEvent } from '../../harness/scenario/terminal/terminalEvent.ts';

const selinux: TerminalEvent = {
  node: 'node-1',
  boot: 2,
  at: 0,
  unit: 'k3s-install.service',
  reason: 'failed',
  lines: ['[ERROR]  Failed to find the k3s-selinux policy, please install:', '    yum install -y container-selinux'],
  source: 'journal',
};
const reproducer: Expectation = {
  outcome: 'fail',
  reasons: [{ text: 'install.sh aborts on Flatcar (#13712)', cause: { node: 'node-1', unit: 'k3s-install.service', line: 'Failed to find the k3s-selinux policy' } }],
};
const failedJoin = [{ name: 'all-nodes-joined', ok: false, detail: 'node-1: FAIL — not listed by the API' }];

describe('verdicts', () => {
  it('an expected failure reproduced for its named reason is green (exit 0) and says so', () => {
    const v = judgeVerdict(reproducer, { outcome: 'error', events: [selinux], assertions: failedJoin, lintRules: [] });
    expect(v).toMatchObject({ kind: 'reproduced', ok: true });
    expect(v.summary).toBe('expected failure reproduced: node-1 boot 2: k3s-install.service failed: [ERROR]  Failed to find the k3s-selinux policy, please install:');
    expect(exitCodeOf({ verdict: v })).toBe(0);
  });

  it('a reproducer that passes is red (exit 1): the failure was not reproduced', () => {
    const v = judgeVerdict(reproducer, { outcome: 'pass', events: [], assertions: [], lintRules: [] });
    expect(v).toMatchObject({ kind: 'passed-unexpectedly', ok: false });
    expect(v.summary).toMatch(/passed, but it is a reproducer expected to fail/);
    expect(exitCodeOf({ verdict: v })).toBe(1);
  });

  it('a reproducer failing for another reason is red (exit 1) and names that cause and the reason not seen', () => {
    const other: TerminalEvent = { node: 'node-1', boot: 1, at: 0, unit: 'installer.service', reason: 'failed', lines: ['flatcar-install: image not found at http://10.0.0.5:8080/… (HTTP 404)'], source: 'journal' };
    const v = judgeVerdict(reproducer, { outcome: 'error', events: [other], assertions: failedJoin, lintRules: [] });
    expect(v).toMatchObject({ kind: 'failed-otherwise', ok: false });
    expect(v.summary).toContain('failed for another reason: node-1 boot 1: installer.service failed: flatcar-install: image not found');
    expect(v.summary).toContain('not seen: install.sh aborts on Flatcar (#13712)');
    expect(exitCodeOf({ verdict: v })).toBe(1);
  });

  it('the same line on another unit or node is not the named reason', () => {
    const elsewhere = { ...selinux, node: 'node-2' };
    expect(judgeVerdict(reproducer, { outcome: 'error', events: [elsewhere], assertions: [], lintRules: [] }).ok).toBe(false);
  });

  it('assertion and lint reasons: every one must be seen', () => {
    const expectation: Expectation = { outcome: 'fail', reasons: [{ text: 'no cluster', assertion: 'all-nodes-joined' }, { text: 'two tokens', lint: 'token-mismatch' }] };
    expect(judgeVerdict(expectation, { outcome: 'fail', events: [], assertions: failedJoin, lintRules: ['token-mismatch'] }).kind).toBe('reproduced');
    const half = judgeVerdict(expectation, { outcome: 'fail', events: [], assertions: failedJoin, lintRules: [] });
    expect(half.kind).toBe('failed-otherwise');
    expect(half.reasons).toEqual([{ text: 'no cluster', seen: true }, { text: 'two tokens', seen: false }]);
  });

  it('a line reason is seen when that node showed the line (journal or console)', () => {
    const expectation: Expectation = { outcome: 'fail', reasons: [{ text: 'guard held', line: { node: 'node-1', text: 'skipped because of an unmet condition check' } }] };
    const sawLine = (node: string | undefined, text: string) => node === 'node-1' && text.startsWith('skipped');
    expect(judgeVerdict(expectation, { outcome: 'fail', events: [], assertions: failedJoin, lintRules: [], sawLine }).kind).toBe('reproduced');
    expect(judgeVerdict(expectation, { outcome: 'fail', events: [], assertions: failedJoin, lintRules: [], sawLine: () => false }).kind).toBe('failed-otherwise');
  });

  it('a scenario expected to pass: a failure names its cause first', () => {
    const v = judgeVerdict(undefined, { outcome: 'error', events: [selinux], assertions: failedJoin, lintRules: [] });
    expect(v.ok).toBe(false);
    expect(v.summary).toMatch(/^ERROR: node-1 boot 2: k3s-install.service failed: \[ERROR\]  Failed to find/);
    expect(judgeVerdict({ outcome: 'pass' }, { outcome: 'pass', events: [], assertions: [], lintRules: [] })).toMatchObject({ kind: 'passed', ok: true });
  });

  it('a failure with no terminal event names its first failed assertion and the failing line', () => {
    const joined = { name: 'all-nodes-joined', ok: false, detail: 'node-1: FAIL — NotReady, control-plane,etcd,master\nnode-2: ok — Ready\netcd: ok — members a, b' };
    const v = judgeVerdict(undefined, { outcome: 'fail', events: [], assertions: [{ name: 'k3s-in-opt-bin', ok: true, detail: 'node-1: ok' }, joined], lintRules: [] });
    expect(v.summary).toBe('FAIL: all-nodes-joined: node-1: FAIL — NotReady, control-plane,etcd,master');
  });

  it('a run stopped by a wait, with no terminal event, names the wait first, not the assertions it left failing', () => {
    // As CI saw it: node-3 never reached live; the assertions then failed for want of SSH probes.
    const runError = 'node-3 (reached: pxe-config): timed out after 6 min 31 s waiting for phase live\nlast console lines of node-3: (none)';
    const probes = { name: 'usr-local-bin-read-only', ok: false, detail: 'node-1: FAIL — no SSH probes (never reached first-boot (reached: installing))' };
    const v = judgeVerdict(undefined, { outcome: 'error', events: [], assertions: [probes, ...failedJoin], runError, lintRules: [] });
    expect(v.summary).toBe('ERROR: node-3 (reached: pxe-config): timed out after 6 min 31 s waiting for phase live');
    expect(judgeVerdict(undefined, { outcome: 'error', events: [selinux], assertions: [probes], runError, lintRules: [] }).summary).toContain('k3s-install.service');
  });
});
