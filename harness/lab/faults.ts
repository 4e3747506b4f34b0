import { LabError } from '../errors.ts';
import { ip, run, succeeds } from './ip.ts';

/**
 * Link faults for scenarios, applied to a node's tap inside the lab namespace. The tap's egress
 * is what the node receives, so impairments act on traffic towards the node (as `tc netem` on the
 * tap does). Link down on the tap is what a pulled cable looks like to the bridge.
 *
 * Two mechanisms: `tc netem` (delay, jitter, loss) where the kernel has sch_netem; otherwise loss
 * through an nftables netdev egress chain (`numgen random`), and delay is refused with the reason:
 * some kernels (this project's CI VM: CONFIG_NET_SCH_NETEM unset, no modules) have no netem.
 */
export interface Impairment {
  delayMs?: number;
  jitterMs?: number;
  lossPercent?: number;
}

export type FaultMechanism = 'netem' | 'nftables';

export async function setLink(netns: string, tap: string, state: 'up' | 'down'): Promise<void> {
  await ip(['link', 'set', tap, state], netns);
}

export function netemArgs(imp: Impairment): string[] {
  const args: string[] = [];
  if (imp.delayMs !== undefined) {
    if (imp.delayMs < 0) throw new LabError(`delay must be >= 0 ms, got ${imp.delayMs}`, 2);
    args.push('delay', `${imp.delayMs}ms`);
    if (imp.jitterMs) args.push(`${imp.jitterMs}ms`);
  }
  if (imp.lossPercent !== undefined) {
    checkLoss(imp.lossPercent);
    args.push('loss', `${imp.lossPercent}%`);
  }
  if (args.length === 0) throw new LabError('an impairment needs a delay or a loss', 2);
  return args;
}

function checkLoss(p: number): void {
  if (!(p >= 0 && p <= 100)) throw new LabError(`loss must be 0–100 %, got ${p}`, 2);
}

function nftTable(tap: string): string {
  return `fault_${tap.replace(/[^a-zA-Z0-9]/g, '_')}`;
}

/** The nftables script that drops `lossPercent` % of the frames leaving the tap towards the node. */
export function nftLossScript(tap: string, lossPercent: number): string {
  checkLoss(lossPercent);
  const table = nftTable(tap);
  // numgen values lie in 0..mod-1, so "< 1000" is not a valid comparison: 100 % is a plain drop.
  const rule = lossPercent >= 100 ? 'drop' : lossPercent <= 0 ? 'accept' : `numgen random mod 1000 < ${Math.round(lossPercent * 10)} drop`;
  return [
    `table netdev ${table} {`,
    `  chain to_node { type filter hook egress device "${tap}" priority 0; ${rule}; }`,
    '}',
    '',
  ].join('\n');
}

const netemProbe = new Map<string, Promise<boolean>>();

/** Whether this kernel has sch_netem, probed once per namespace on a real tap (then removed). */
export function hasNetem(netns: string, tap: string): Promise<boolean> {
  let p = netemProbe.get(netns);
  if (!p) {
    p = (async () => {
      const r = await succeeds('tc', ['qdisc', 'add', 'dev', tap, 'root', 'netem', 'delay', '0ms'], { netns });
      await run('tc', ['qdisc', 'del', 'dev', tap, 'root'], { netns, allowFail: true });
      return r;
    })();
    netemProbe.set(netns, p);
  }
  return p;
}

/** Replaces any impairment on the tap with this one; returns the mechanism used. */
export async function impair(netns: string, tap: string, imp: Impairment): Promise<FaultMechanism> {
  await clearImpairment(netns, tap);
  if (await hasNetem(netns, tap)) {
    await run('tc', ['qdisc', 'replace', 'dev', tap, 'root', 'netem', ...netemArgs(imp)], { netns });
    return 'netem';
  }
  if (imp.delayMs !== undefined || imp.jitterMs !== undefined) {
    throw new LabError('link delay needs the kernel qdisc sch_netem (CONFIG_NET_SCH_NETEM), which this kernel lacks; packet loss still works', 2);
  }
  if (imp.lossPercent === undefined) throw new LabError('an impairment needs a delay or a loss', 2);
  await run('nft', ['-f', '-'], { netns, input: nftLossScript(tap, imp.lossPercent) });
  return 'nftables';
}

export async function clearImpairment(netns: string, tap: string): Promise<void> {
  // Removing what is not there fails; that is the state we want anyway.
  await run('tc', ['qdisc', 'del', 'dev', tap, 'root'], { netns, allowFail: true });
  await run('nft', ['delete', 'table', 'netdev', nftTable(tap)], { netns, allowFail: true });
}
