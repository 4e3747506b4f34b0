import { phaseBudgetMs, rebootBudgetMs } from './budgets.ts';
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
  for (const node of ctx.nodes) await machineOf(ctx, node.name).powerOn('power on (empty disk: PXE)');
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

/** Waits until the API lists the node Ready with a heartbeat at or after `since` (ms). */
async function waitReadyInApi(ctx: RunContext, node: string, since: number, what: string): Promise<void> {
  await waitFor(
    condition(
      what,
      rebootBudgetMs,
      async () => {
        const view = await ctx.access.cluster({ etcd: false }).catch(() => undefined);
        const listed = view?.nodes.find((n) => n.name === node);
        if (!listed?.ready) return undefined;
        const beat = listed.lastHeartbeat ? Date.parse(listed.lastHeartbeat) : undefined;
        // Clocks of guest and host agree within seconds (the guest's RTC is the host's).
        return beat === undefined || Number.isNaN(beat) || beat >= since - 5000 ? true : undefined;
      },
      { node, pollMs: 5000 },
    ),
    ctx.waitEnv,
  );
}

/** Waits for the node's next boot to start k3s again and the API to see it Ready. */
async function waitBackAfter(ctx: RunContext, node: string, boot: number, since: number): Promise<void> {
  const console = ctx.consoles.get(node);
  if (console) await waitFor(consoleLine(console, /Started k3s(-agent)?\.service/, rebootBudgetMs, { sinceBoot: boot }), ctx.waitEnv);
  await waitReadyInApi(ctx, node, since, `${node} Ready in the API again after boot ${boot}`);
}

/** A clean reboot from inside the guest (`systemctl reboot`), then back to Ready. */
export async function rebootNode(ctx: RunContext, name: string): Promise<void> {
  nodeNamed(ctx, name);
  const machine = machineOf(ctx, name);
  const nextBoot = machine.boots + 1;
  const since = Date.now();
  // The SSH session may die with the machine before it reports back: that is success too.
  await sshRoot(ctx, name, 'systemctl reboot', 30_000).catch(() => undefined);
  await waitFor(condition(`${name} to start boot ${nextBoot}`, rebootBudgetMs, () => (machine.boots >= nextBoot ? true : undefined), { node: name, pollMs: 500 }), ctx.waitEnv);
  await waitBackAfter(ctx, name, nextBoot, since);
}

/** Power loss: QEMU killed with no shutdown, power back on after `offMs`, then back to Ready. */
export async function powerCutNode(ctx: RunContext, name: string, offMs = 2000): Promise<void> {
  const machine = machineOf(ctx, name);
  ctx.holdPower(name, true);
  const since = Date.now();
  await machine.powerCut();
  await new Promise((r) => setTimeout(r, offMs));
  ctx.holdPower(name, false);
  const started = await machine.powerOn('power restored after a power cut');
  await waitBackAfter(ctx, name, started.boot, since);
}

function healthy(view: ClusterView, ctx: RunContext): boolean {
  if (view.error) return false;
  const allReady = ctx.nodes.every((n) => view.nodes.some((v) => v.name === n.name && v.ready));
  const servers = ctx.nodes.filter((n) => n.role !== 'agent').length;
  return allReady && (view.etcdMembers?.length ?? 0) === servers;
}

/** Every node Ready in the API and as many etcd members as servers. */
export async function waitForClusterHealthy(ctx: RunContext): Promise<void> {
  await waitFor(
    condition('every node Ready in the API and etcd members = servers', rebootBudgetMs, async () => (healthy(await ctx.access.cluster().catch((e: unknown) => ({ nodes: [], error: String(e) })), ctx) ? true : undefined), { pollMs: 5000 }),
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
