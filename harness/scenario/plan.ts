import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import { assertionByName, type AssertionName } from './assertions/index.ts';
import { importScenarioFile, scenariosDir } from './model.ts';
import type { Phase } from './phases.ts';
import type { Impairment } from '../lab/faults.ts';
import type { Moment } from './faultSteps.ts';
import type { NodeSpec } from './topology.ts';

/** The steps a scenario's function calls; each call is recorded as a step of the run. */
export interface Steps {
  readonly nodes: readonly NodeSpec[];
  bootAll(): Promise<void>;
  waitForPhase(phase: Phase, nodes?: string[]): Promise<void>;
  reboot(node: string): Promise<void>;
  powerCut(node: string): Promise<void>;
  /** The power button: a clean shutdown, power on again, back Ready. */
  powerButton(node: string): Promise<void>;
  waitForClusterHealthy(): Promise<void>;
  /** Up to `baseMs` (scaled) for the cluster to become healthy; never fails (the assertions judge). */
  giveClusterTime(baseMs: number): Promise<void>;
  /** A console line matching `pattern` on the node (any boot from `sinceBoot`, default all). */
  waitForConsole(node: string, pattern: RegExp, opts?: { sinceBoot?: number; baseTimeoutMs?: number }): Promise<void>;
  /** A line matching `pattern` in the node's streamed journal or its console (any boot from `sinceBoot`; 'current': the node's boot now). */
  waitForLine(node: string, pattern: RegExp, opts?: { sinceBoot?: number | 'current'; baseTimeoutMs?: number }): Promise<void>;

  // ---- faults: recorded as fault steps and drawn on the timeline; none waits for recovery ----
  /** Every given node (default: all) loses power at once; power returns after `offMs` (default 10 s). */
  powerOutage(opts?: { nodes?: string[]; offMs?: number }): Promise<void>;
  /** At the moment (a phase, or a console/journal line), the node loses power; it returns after `offMs` (default 5 s). */
  powerCutAt(node: string, moment: Moment, opts?: { offMs?: number; afterMs?: number }): Promise<void>;
  linkDown(node: string): Promise<void>;
  linkUp(node: string): Promise<void>;
  degradeLink(node: string, imp: Impairment): Promise<void>;
  restoreLink(node: string): Promise<void>;
  partition(a: string[], b: string[]): Promise<void>;
  heal(): Promise<void>;
  silenceDhcp(node: string): Promise<void>;
  restoreDhcp(node: string): Promise<void>;
  /** The mirror answers the next `count` requests for `path` (a prefix) with 404/503, or never answers. */
  mirrorFault(path: string, action: 404 | 503 | 'stall', count: number): Promise<void>;
  /** Lets `baseMs` (scaled) pass: a fault held for a while. */
  pause(baseMs: number): Promise<void>;
  /**
   * After a fault: every node Ready with a heartbeat newer than before the last fault, and etcd
   * members = servers (the API lists nodes Ready from old heartbeats until the node monitor notices).
   */
  waitForRecovery(): Promise<void>;
  /** The API lists the node Ready (or NotReady) within `baseMs` (scaled). */
  waitForNodeReady(node: string, ready: boolean, baseMs?: number): Promise<void>;
  /** `kubectl delete node`: what k3s asks for before a node rejoins under its old name. */
  deleteNode(node: string): Promise<void>;
  /** The node loses power and stays off until powerOn (faults, like the rest below). */
  powerOff(node: string): Promise<void>;
  powerOn(node: string): Promise<void>;
  /** A new, empty disk in a node that is off: on power it PXE-boots and installs again. */
  replaceDisk(node: string): Promise<void>;
}

/**
 * What a scenario does and how it is judged, next to its data (kola style: data plus one
 * function). A scenario file exports it as `plan` beside its default export; the harness, not
 * the plan, collects consoles, journals and logs.
 */
export interface ScenarioPlan {
  assertions: AssertionName[];
  run(steps: Steps): Promise<void>;
  /**
   * Set when the scenario acts on the PXE stage itself (a fault while flatcar-install writes the
   * disk), saying what it does there: `--reuse-install`, which skips that stage, is refused for it.
   */
  pxeStageUnderTest?: string;
}

/** Boot everything, wait until every node joined: what single-node and three-node-ha do. */
export const installAndJoin: ScenarioPlan = {
  assertions: ['usr-local-bin-read-only', 'k3s-in-opt-bin', 'all-nodes-joined', 'no-reinstall'],
  async run(t) {
    await t.bootAll();
    await t.waitForPhase('joined');
  },
};

/** Checks a plan's assertion names and shape; names the file on a mistake. */
export function validatePlan(value: unknown, file: string): ScenarioPlan {
  const p = value as Partial<ScenarioPlan> | undefined;
  if (!p || typeof p.run !== 'function') throw new UsageError(`${file}: export 'plan' must have a run(steps) function`);
  if (!Array.isArray(p.assertions)) throw new UsageError(`${file}: plan.assertions must list assertion names`);
  if (p.pxeStageUnderTest !== undefined && typeof p.pxeStageUnderTest !== 'string') throw new UsageError(`${file}: plan.pxeStageUnderTest must say in words what the scenario does in the PXE stage`);
  for (const name of p.assertions) {
    if (!assertionByName(name)) throw new UsageError(`${file}: plan.assertions: unknown assertion '${String(name)}'`);
  }
  return p as ScenarioPlan;
}

/** The scenario file's `plan` export, or installAndJoin when it has none. */
export async function loadPlan(name: string, dir = scenariosDir): Promise<ScenarioPlan> {
  const file = join(dir, `${name}.ts`);
  if (!existsSync(file)) throw new UsageError(`unknown scenario '${name}'`);
  const mod = (await importScenarioFile(file)) as { plan?: unknown };
  return mod.plan === undefined ? installAndJoin : validatePlan(mod.plan, file);
}
