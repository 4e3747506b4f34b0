import type { RunEvidence } from '../evidence.ts';

export interface AssertionResult {
  name: string;
  ok: boolean;
  /** One line per node or fact: what was found, so a failure explains itself. */
  detail: string;
}

/** An assertion is a named function of the run's evidence. */
export interface Assertion {
  name: string;
  /** What it proves, for the report. */
  description: string;
  check(evidence: RunEvidence): AssertionResult;
}

/** Combines per-node findings into one result: ok when every node is ok. */
export function perNode(name: string, findings: { node: string; ok: boolean; text: string }[]): AssertionResult {
  if (findings.length === 0) return { name, ok: false, detail: 'no nodes to check' };
  return {
    name,
    ok: findings.every((f) => f.ok),
    detail: findings.map((f) => `${f.node}: ${f.ok ? 'ok' : 'FAIL'} — ${f.text}`).join('\n'),
  };
}
