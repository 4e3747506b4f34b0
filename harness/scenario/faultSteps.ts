import type { Impairment } from '../lab/faults.ts';
import type { MirrorFaultRule } from '../services/mirrorFaults.ts';
import { phaseBudgetMs } from './budgets.ts';
import type { Phase } from './phases.ts';
import { faultsOf, machineOf, nodeNamed, type RunContext } from './runContext.ts';
import { condition, waitFor } from './waits.ts';

/**
 * The fault steps: what a scenario does to the lab on purpose. Each is a small named function of
 * the run context; the runner records it as a fault step (drawn on the report's timeline). None
 * waits for the cluster to recover: the scenario says what it waits for next.
 */

/**
 * When to cut a node's power: a phase it reaches, a line its console or journal shows, or its disk
 * holding so many bytes (how far a write got, whatever the machine's speed).
 */
export type Moment = { phase: Phase } | { line: RegExp } | { diskBytes: number };

export function describeMoment(m: Moment): string {
  if ('phase' in m) return `phase ${m.phase}`;
  if ('diskBytes' in m) return diskHolding(m.diskBytes);
  return `the line ${m.line}`;
}

const diskHolding = (bytes: number) => `its disk holding ${Math.round(bytes / 2 ** 20)} MiB`;

/** Cuts the power of the given nodes at once (QMP quit: no shutdown inside), then restores it. */
export async function powerOutage(ctx: RunContext, nodes: readonly string[], offMs: number): Promise<void> {
  for (const n of nodes) ctx.holdPower(nodeNamed(ctx, n).name, true);
  await Promise.all(nodes.map((n) => machineOf(ctx, n).powerCut()));
  await new Promise((r) => setTimeout(r, offMs));
  for (const n of nodes) ctx.holdPower(n, false);
  for (const n of nodes) await machineOf(ctx, n).powerOn(`power restored after ${Math.round(offMs / 1000)} s off`);
}

/** Waits for the moment on the node (from its current boot on), then cuts its power and restores it. */
export async function powerCutAt(ctx: RunContext, node: string, moment: Moment, offMs: number, afterMs = 0): Promise<string> {
  const machine = machineOf(ctx, node);
  const sinceBoot = machine.boots;
  const seen = await waitFor(
    condition(
      describeMoment(moment),
      'phase' in moment ? phaseBudgetMs[moment.phase] * 3 : phaseBudgetMs.joined * 3,
      async () => {
        if ('phase' in moment) return ctx.tracker.reached(node, moment.phase) ? `phase ${moment.phase}` : undefined;
        if ('diskBytes' in moment) {
          if (!machine.diskBytes) throw new Error(`${node}'s machine cannot tell how much its disk holds`);
          const bytes = machine.diskBytes();
          return bytes >= moment.diskBytes ? diskHolding(bytes) : undefined;
        }
        const consoleHit = ctx.consoles.get(node)?.find(moment.line);
        if (consoleHit && consoleHit.boot >= sinceBoot) return `console: ${consoleHit.text.trim()}`;
        const journalHit = ctx.journals.get(node)?.find(moment.line, sinceBoot);
        return journalHit ? `journal: ${journalHit.entry.message.trim()}` : undefined;
      },
      { node, pollMs: 50 },
    ),
    ctx.waitEnv,
  );
  if (afterMs > 0) await new Promise((r) => setTimeout(r, afterMs));
  ctx.holdPower(node, true);
  await machine.powerCut();
  ctx.note(`${node}: power cut ${afterMs > 0 ? `${Math.round(afterMs / 1000)} s after` : 'at'} ${seen}`);
  await new Promise((r) => setTimeout(r, offMs));
  ctx.holdPower(node, false);
  await machine.powerOn(`power restored after a cut at ${describeMoment(moment)}`);
  return seen;
}

/** The node loses power and stays off (a failed disk, a node taken away) until powerOn. */
export async function powerOff(ctx: RunContext, node: string): Promise<void> {
  const machine = machineOf(ctx, nodeNamed(ctx, node).name);
  ctx.holdPower(node, true);
  if (machine.running()) await machine.powerCut();
}

export async function powerOn(ctx: RunContext, node: string, how = 'power on'): Promise<void> {
  const machine = machineOf(ctx, nodeNamed(ctx, node).name);
  if (machine.running()) throw new Error(`${node} is already on`);
  ctx.holdPower(node, false);
  await machine.powerOn(how);
}

/**
 * A new, empty disk in a node that is off (powerOff first): its next power-on PXE-boots and
 * installs again, as a replaced node does at the edge.
 */
export async function replaceDisk(ctx: RunContext, node: string): Promise<void> {
  const machine = machineOf(ctx, nodeNamed(ctx, node).name);
  if (machine.running()) throw new Error(`${node} is on: power it off before replacing its disk`);
  await machine.replaceDisk();
}

export async function linkDown(ctx: RunContext, node: string): Promise<void> {
  await faultsOf(ctx).linkDown(nodeNamed(ctx, node).name);
}

export async function linkUp(ctx: RunContext, node: string): Promise<void> {
  await faultsOf(ctx).linkUp(nodeNamed(ctx, node).name);
}

/**
 * Loss and delay on the node's link. A kernel without sch_netem can drop packets (nftables) but
 * not delay them: the loss is applied alone and the run notes that the delay was not.
 */
export async function degradeLink(ctx: RunContext, node: string, imp: Impairment): Promise<string> {
  const faults = faultsOf(ctx);
  const name = nodeNamed(ctx, node).name;
  try {
    return `${await faults.impair(name, imp)}: ${describeImpairment(imp)}`;
  } catch (err) {
    if (!/sch_netem/.test(String(err)) || imp.lossPercent === undefined) throw err;
    const lossOnly = { lossPercent: imp.lossPercent };
    const how = await faults.impair(name, lossOnly);
    ctx.note(`${node}: this kernel has no sch_netem: loss ${imp.lossPercent} % only, no delay`);
    return `${how}: ${describeImpairment(lossOnly)} (no delay: the kernel has no sch_netem)`;
  }
}

export function describeImpairment(imp: Impairment): string {
  return [imp.delayMs !== undefined ? `delay ${imp.delayMs} ms${imp.jitterMs ? ` ± ${imp.jitterMs} ms` : ''}` : '', imp.lossPercent !== undefined ? `loss ${imp.lossPercent} %` : ''].filter(Boolean).join(', ');
}

export async function restoreLink(ctx: RunContext, node: string): Promise<void> {
  await faultsOf(ctx).clearImpairment(nodeNamed(ctx, node).name);
}

export async function partition(ctx: RunContext, a: readonly string[], b: readonly string[]): Promise<void> {
  for (const n of [...a, ...b]) nodeNamed(ctx, n);
  await faultsOf(ctx).partition(a, b);
}

export async function heal(ctx: RunContext): Promise<void> {
  await faultsOf(ctx).healPartition();
}

export async function silenceDhcp(ctx: RunContext, node: string): Promise<void> {
  await faultsOf(ctx).silenceDhcp(nodeNamed(ctx, node).name);
}

export async function restoreDhcp(ctx: RunContext, node: string): Promise<void> {
  await faultsOf(ctx).restoreDhcp(nodeNamed(ctx, node).name);
}

let ruleSeq = 0;
export function mirrorFault(ctx: RunContext, path: string, action: MirrorFaultRule['action'], count: number): void {
  if (!path.startsWith('/')) throw new Error(`a mirror fault's path starts with / (got ${path})`);
  if (!Number.isInteger(count) || count < 1) throw new Error(`a mirror fault takes 1 or more requests (got ${count})`);
  faultsOf(ctx).addMirrorFault({ id: `f${++ruleSeq}`, path, action, count });
}

/** Every node listed Ready (or, with `ready: false`, listed NotReady) by the API. */
export async function waitForNodeReady(ctx: RunContext, node: string, ready: boolean, baseMs: number): Promise<void> {
  await waitFor(
    condition(
      `the API to list ${node} ${ready ? 'Ready' : 'NotReady'}`,
      baseMs,
      async () => {
        const view = await ctx.access.cluster({ etcd: false, timeoutMs: 5_000 }).catch(() => undefined);
        const listed = view?.nodes.find((n) => n.name === node);
        return listed && listed.ready === ready ? true : undefined;
      },
      { pollMs: 2000 },
    ),
    ctx.waitEnv,
  );
}
