import type { AssertionResult } from './assertions/types.ts';
import { headline, type TerminalEvent } from './terminal/terminalEvent.ts';

/**
 * One reason a reproducer expects to fail for, in a form the run can check:
 *   cause     — a terminal event on that node/unit quoting a line that contains `line`
 *   assertion — that assertion failed (and its detail contains `detail`, when given)
 *   lint      — lint reported that rule on the scenario's configs (what the run then shows)
 *   line      — a node's journal or console showed a line containing `text`
 */
export type ExpectedReason = { text: string } & (
  | { cause: { node?: string; unit?: string; line: string } }
  | { line: { node?: string; text: string } }
  | { assertion: string; detail?: string }
  | { lint: string }
);

export interface Expectation {
  outcome: 'pass' | 'fail';
  reasons?: ExpectedReason[];
}

export type VerdictKind = 'passed' | 'failed' | 'reproduced' | 'passed-unexpectedly' | 'failed-otherwise';

export interface Verdict {
  kind: VerdictKind;
  /** Met its expectation: a pass that was to pass, or a failure reproduced for its named reasons. */
  ok: boolean;
  /** The verdict line's words after the scenario's name. */
  summary: string;
  /** Each expected reason, and whether the run showed it. */
  reasons: { text: string; seen: boolean }[];
}

export interface Outcome {
  outcome: 'pass' | 'fail' | 'error';
  events: readonly TerminalEvent[];
  assertions: readonly AssertionResult[];
  /** Why the run stopped before its plan ended (a wait that timed out), when it did. */
  runError?: string;
  /** Lint rule names found on the scenario's configs. */
  lintRules: readonly string[];
  /** Whether a node's journal or console showed a line containing `text` (any node when none is named). */
  sawLine?: (node: string | undefined, text: string) => boolean;
}

function seen(r: ExpectedReason, o: Outcome): boolean {
  if ('cause' in r) {
    return o.events.some((e) => (!r.cause.node || e.node === r.cause.node) && (!r.cause.unit || e.unit === r.cause.unit) && e.lines.some((l) => l.includes(r.cause.line)));
  }
  if ('line' in r) return o.sawLine?.(r.line.node, r.line.text) ?? false;
  if ('assertion' in r) return o.assertions.some((a) => a.name === r.assertion && !a.ok && (!r.detail || a.detail.includes(r.detail)));
  return o.lintRules.includes(r.lint);
}

/**
 * What the verdict names first: the first terminal event; failing that, why the run stopped (a
 * wait's timeout names the node, its phase and what it waited for, where the assertions after it
 * only say what was then missing); failing that (every unit and boot went well, yet an assertion
 * failed, e.g. a node NotReady at the end), the first failed assertion and its first failing line,
 * so the verdict never reads a bare "FAIL".
 */
function causeOf(o: Outcome): string {
  if (o.events[0]) return `: ${headline(o.events[0])}`;
  if (o.runError) return `: ${o.runError.split('\n')[0]}`;
  const failed = o.assertions.find((a) => !a.ok);
  return failed ? `: ${assertionFinding(failed)}` : '';
}

/** A failed assertion in one line: its name and its first failing finding (or its first line). */
export function assertionFinding(a: AssertionResult): string {
  const lines = a.detail.split('\n');
  return `${a.name}: ${lines.find((l) => l.includes('FAIL')) ?? lines[0]}`;
}

/**
 * The run against what its scenario expects. A scenario that expects `fail` is a reproducer: it
 * is green only when it failed and every named reason was seen; a pass, or a failure without its
 * reasons, is red and says which.
 */
export function judgeVerdict(expect: Expectation | undefined, o: Outcome): Verdict {
  const because = causeOf(o);
  if ((expect?.outcome ?? 'pass') === 'pass') {
    if (o.outcome === 'pass') return { kind: 'passed', ok: true, summary: 'PASS', reasons: [] };
    return { kind: 'failed', ok: false, summary: `${o.outcome === 'error' ? 'ERROR' : 'FAIL'}${because}`, reasons: [] };
  }
  const reasons = (expect!.reasons ?? []).map((r) => ({ text: r.text, seen: seen(r, o) }));
  if (o.outcome === 'pass') return { kind: 'passed-unexpectedly', ok: false, summary: 'FAIL: passed, but it is a reproducer expected to fail (the failure was not reproduced)', reasons };
  const missing = reasons.filter((r) => !r.seen);
  if (missing.length === 0) return { kind: 'reproduced', ok: true, summary: `expected failure reproduced${because}`, reasons };
  return { kind: 'failed-otherwise', ok: false, summary: `FAIL: failed for another reason${because || ''}; not seen: ${missing.map((r) => r.text).join('; ')}`, reasons };
}
