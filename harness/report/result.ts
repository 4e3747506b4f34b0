import type { AssertionResult } from '../scenario/assertions/types.ts';
import type { PhaseMark } from '../scenario/phaseTracker.ts';
import type { Phase } from '../scenario/phases.ts';
import type { NodeRole } from '../scenario/topology.ts';
import type { Verdict } from '../scenario/verdict.ts';
import type { Availability } from '../scenario/availability.ts';

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
  /** The run against its expectation: what the exit code and the verdict line say. */
  verdict: Verdict;
  /** The run's first terminal event: the cause of a failed run, before any consequence. */
  cause?: CauseResult;
  /** What followed from the cause, or what failed without one: other nodes' events, failed assertions, the run's stop. */
  consequences: string[];
  /** Every terminal event, in order (the first is the cause). */
  terminalEvents: CauseResult[];
  /** The harness error that ended the run early, in full (timeouts carry the console tail). */
  error?: string;
  /** The Kubernetes API as a client saw it from its first answer on (polled each second). */
  availability?: Availability;
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

export interface CauseResult {
  node: string;
  boot: number;
  unit?: string;
  reason: string;
  /** The unit's own lines: the tool's fatal line first, then its hint lines. */
  lines: string[];
  source: 'journal' | 'console' | 'vm';
  offsetMs: number;
  /** `node-1 boot 2: k3s-install.service failed: [ERROR] …` */
  headline: string;
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
  /** A fault the scenario put into the lab (drawn on the timeline). */
  fault?: boolean;
  node?: string;
  offsetMs: number;
  durationMs: number;
  ok: boolean;
  error?: string;
}

/** The command's exit code for a finished run: 0 when it met its expectation (a pass, or a reproduced expected failure), else 1. */
export function exitCodeOf(result: Pick<RunResult, 'verdict'>): number {
  return result.verdict.ok ? 0 : 1;
}
