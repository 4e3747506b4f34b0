import type { AssertionResult } from '../scenario/assertions/types.ts';
import type { PhaseMark } from '../scenario/phaseTracker.ts';
import type { Phase } from '../scenario/phases.ts';
import type { NodeRole } from '../scenario/topology.ts';

/** What result.json holds: the whole run, machine-readable. Times are ISO strings; offsets are ms from the start. */
export interface RunResult {
  scenario: string;
  description?: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** pass: every assertion held; fail: an assertion failed; error: the run could not finish (bad input, timeout, node failed). */
  outcome: 'pass' | 'fail' | 'error';
  /** A scenario can expect to fail (seed-literal); the report then says whether it failed for the named reasons. */
  expected: 'pass' | 'fail';
  /** The harness error that ended the run early, in full (timeouts carry the console tail). */
  error?: string;
  accel: { accel: string; reason: string };
  timeoutScale: number;
  /** Which parts ran: lab OS, k3s (double or real), install.sh, each with its sha256 when known. */
  artifacts: { name: string; source: string; sha256?: string }[];
  nodes: NodeResult[];
  steps: StepResult[];
  assertions: AssertionResult[];
  /** Why a scenario failed as it did: lint findings on its configs, the reason a step failed. */
  diagnosis: string[];
  /** Paths relative to the report directory. */
  files: { dnsmasqLog?: string; mirrorLog?: string; configs: string[] };
}

export interface NodeResult {
  name: string;
  ip: string;
  mac: string;
  role: NodeRole;
  /** The furthest phase reached. */
  phase?: Phase;
  marks: (Omit<PhaseMark, 'at'> & { offsetMs: number })[];
  /** Every VM start (boot), with how it came about. */
  boots: { boot: number; offsetMs: number; how: string }[];
  /** Console logs, one per boot, then the journal of the last boot; relative to the report directory. */
  consoleLogs: string[];
  failure?: string;
}

export interface StepResult {
  name: string;
  node?: string;
  offsetMs: number;
  durationMs: number;
  ok: boolean;
  error?: string;
}

/** The command's exit code for a finished run: 0 pass, 1 an assertion failed or the run failed. */
export function exitCodeOf(result: RunResult): number {
  return result.outcome === 'pass' ? 0 : 1;
}
