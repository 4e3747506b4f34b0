import { phaseBudgetMs, rebootBudgetMs, recoveryBudgetMs, shutdownBudgetMs } from './budgets.ts';
import { answeredSample, freshlyReady } from './availability.ts';
import type { ClusterView } from './evidence.ts';
import { phaseIndex, phases, type Phase } from './phases.ts';
import { machineOf, nodeNamed, sshRoot, type RunContext } from './runContext.ts';
import { condition, consoleLine, phaseReached, waitFor, waitForAll } from './waits.ts';

/**
 * The steps scenarios are made of, each a small named function of the run context. The runner
 * records each call (name, node, time, result) for the report.
 */

/** Powers every node on; empty disks fall through to PXE. */
export async function bootAll(ctx: RunContext): Promise<void> {
  for (const node of ctx.nodes) await machineOf(ctx, node.name).powerOn('power on');
}

/**
 * Waits until every given node reached `phase`, one phase at a time, each with its own budget:
 * a timeout then names the phase that stalled, not just the goal.
 */
export async function waitForPhase(ctx: RunContext, phase: Phase, nodeNames = ctx.nodes.map((n) => n.name)): Promise<void> {
  await Promise.all(
    nodeNames.map(async (node) => {
      for (let i = phaseIndex(ctx.tracker.phaseOf(node)) + 1; i <= phaseIndex(phase); i++) {
        const next = phases[i]!;
        await waitFor(phaseReached(ctx.tracker, node, next, phaseBudgetMs[next]), ctx.waitEnv);
      }
    }),
  );
}

/** The node's last heartbeat as the API reports it now, if the API answers. */
async function lastHeartbeat(ctx: RunContext, node: string): Promise<string | undefined> {
  const view = await ctx.access.cluster({ etcd: false }).catch(() => undefined);
  return view?.nodes.find((n) => n.name === node)?.lastHeartbeat;
}

/**
 * Waits until the node is Ready in the API with a heartbeat newer than `before` — taken while
 * the node's old boot was already dead, so only its new boot can have sent a newer one. (When
 * the API itself was down, its answering again with the node Ready is the proof.)
 */
async function waitReadyAgain(ctx: RunContext, node: string, before: string | undefined, what: string): Promise<void> {
  const beforeMs = before ? Date.parse(before) : Number.NaN;
  await waitFor(
    condition(
      what,
      rebootBudgetMs,
      async () => {
        const view = await ctx.access.cluster({ etcd: false }).catch(() => undefined);
        const listed = view?.nodes.find((n) => n.name === node);
        if (!listed?.ready) return undefined;
        if (Number.isNaN(beforeMs) || !listed.lastHeartbeat) return true;
        return Date.parse(listed.lastHeartbeat) > beforeMs ? true : undefined;
      },
      { node, pollMs: 5000 },
    ),
    ctx.waitEnv,
  );
}

/** A clean reboot from inside the guest (`systemctl reboot`), then back to Ready. */
export async function rebootNode(ctx: RunContext, name: string): Promise<void> {
  nodeNamed(ctx, name);
  const machine = machineOf(ctx, name);
  const nextBoot = machine.boots + 1;
  // The SSH session may die with the machine before it reports back: that is success too.
  await sshRoot(ctx, name, 'systemctl reboot', 30_000).catch(() => undefined);
  await waitFor(condition(`${name} to start boot ${nextBoot}`, rebootBudgetMs, () => (machine.boots >= nextBoot ? true : undefined), { node: name, pollMs: 500 }), ctx.waitEnv);
  await waitReadyAgain(ctx, name, await lastHeartbeat(ctx, name), `${name} Ready in the API again after boot ${nextBoot}`);
}

/** Power loss: QEMU killed with no shutdown, power back on after `offMs`, then back to Ready. */
export async function powerCutNode(ctx: RunContext, name: string, offMs = 2000): Promise<void> {
  const machine = machineOf(ctx, name);
  ctx.holdPower(name, true);
  await machine.powerCut();
  const before = await lastHeartbeat(ctx, name);
  await new Promise((r) => setTimeout(r, offMs));
  ctx.holdPower(name, false);
  const started = await machine.powerOn('power restored after a power cut');
  await waitReadyAgain(ctx, name, before, `${name} Ready in the API again after boot ${started.boot}`);
}

/**
 * The power button: ACPI power-off, a clean shutdown in the guest (a guest that ignores it loses
 * power after the shutdown budget, and the step fails saying so), power on again, back to Ready.
 */
export async function powerButtonNode(ctx: RunContext, name: string): Promise<void> {
  const machine = machineOf(ctx, name);
  const before = await lastHeartbeat(ctx, name);
  ctx.holdPower(name, true);
  const exit = await machine.shutdown(shutdownBudgetMs * ctx.waitEnv.scale);
  ctx.holdPower(name, false);
  if (exit.forced) throw new Error(`${name} did not power off within ${Math.round((shutdownBudgetMs * ctx.waitEnv.scale) / 1000)} s of the power button; its power was cut (last console lines:\n${ctx.waitEnv.consoleTail(name, 30).join('\n')})`);
  const started = await machine.powerOn('power button pressed again');
  await waitReadyAgain(ctx, name, before, `${name} Ready in the API again after boot ${started.boot}`);
}

/**
 * Gives the cluster up to `baseMs` (scaled) to become healthy and never fails: for scenarios
 * expected to fail (seed-literal), where the assertions, not a timeout, say what went wrong.
 */
export async function giveClusterTime(ctx: RunContext, baseMs: number): Promise<void> {
  await waitForClusterHealthy(ctx, baseMs).catch(() => undefined);
}

function healthy(view: ClusterView, ctx: RunContext): boolean {
  if (view.error) return false;
  const allReady = ctx.nodes.every((n) => view.nodes.some((v) => v.name === n.name && v.ready));
  const servers = ctx.nodes.filter((n) => n.role !== 'agent').length;
  return allReady && (view.etcdMembers?.length ?? 0) === servers;
}

/** Every node Ready in the API and as many etcd members as servers. */
export async function waitForClusterHealthy(ctx: RunContext, baseMs = rebootBudgetMs): Promise<void> {
  await waitFor(
    condition('every node Ready in the API and etcd members = servers', baseMs, async () => (healthy(await ctx.access.cluster().catch((e: unknown) => ({ nodes: [], error: String(e) })), ctx) ? true : undefined), { pollMs: 5000 }),
    ctx.waitEnv,
  );
}

/**
 * Every node Ready with a heartbeat newer than the newest seen before the last fault and than the
 * fault's end (freshlyReady), and as many etcd members as servers, within the recovery budget.
 */
export async function waitForRecovery(ctx: RunContext, fault: { at: number; endAt: number }): Promise<void> {
  await waitFor(
    condition(
      'every node Ready again (heartbeats from after the fault) and etcd members = servers',
      recoveryBudgetMs,
      async () => {
        const view = await ctx.access.cluster({ timeoutMs: 10_000 }).catch(() => undefined);
        if (!view || view.error) return undefined;
        const fresh = freshlyReady(ctx.apiSamples(), fault.at, fault.endAt)(answeredSample(Date.now(), view.nodes));
        const servers = ctx.nodes.filter((n) => n.role !== 'agent').length;
        return ctx.nodes.every((n) => fresh.includes(n.name)) && (view.etcdMembers?.length ?? 0) === servers ? true : undefined;
      },
      { pollMs: 5000 },
    ),
    ctx.waitEnv,
  );
}

/** A line in the node's journal stream or on its console: what units print lives in the journal. */
export async function waitForLine(ctx: RunContext, name: string, pattern: RegExp, opts: { sinceBoot?: number | 'current'; baseTimeoutMs?: number } = {}): Promise<void> {
  const since = opts.sinceBoot === 'current' ? machineOf(ctx, name).boots : (opts.sinceBoot ?? 0);
  await waitFor(
    condition(
      `the line ${pattern} in ${name}'s journal or console`,
      opts.baseTimeoutMs ?? rebootBudgetMs,
      () => {
        const c = ctx.consoles.get(name)?.lines().find((l) => l.boot >= since && pattern.test(l.text));
        return c ? true : ctx.journals.get(name)?.find(pattern, since) ? true : undefined;
      },
      { node: name, pollMs: 250 },
    ),
    ctx.waitEnv,
  );
}

/** A console line on one node, e.g. a marker a test image prints. */
export async function waitForConsole(ctx: RunContext, name: string, pattern: RegExp, opts: { sinceBoot?: number; baseTimeoutMs?: number } = {}): Promise<void> {
  const console = ctx.consoles.get(name);
  if (!console) throw new Error(`no console for ${name}`);
  await waitFor(consoleLine(console, pattern, opts.baseTimeoutMs ?? rebootBudgetMs, opts), ctx.waitEnv);
}

/** Waits for several nodes in parallel (used by scenarios that act on a subset). */
export async function waitForPhases(ctx: RunContext, goals: { node: string; phase: Phase }[]): Promise<void> {
  await waitForAll(goals.map((g) => phaseReached(ctx.tracker, g.node, g.phase, phaseBudgetMs[g.phase])), ctx.waitEnv);
}
