import { ip, run } from './ip.ts';

/**
 * Link faults for scenarios, applied to a node's tap inside the lab namespace. Link down on
 * the tap is what a pulled cable looks like to the bridge; netem on the tap shapes what the
 * node receives (egress of the tap is traffic towards the VM).
 */
export interface Impairment {
  delayMs?: number;
  jitterMs?: number;
  lossPercent?: number;
}

export async function setLink(netns: string, tap: string, state: 'up' | 'down'): Promise<void> {
  await ip(['link', 'set', tap, state], netns);
}

export function netemArgs(imp: Impairment): string[] {
  const args: string[] = [];
  if (imp.delayMs !== undefined) {
    if (imp.delayMs < 0) throw new Error(`delay must be >= 0 ms, got ${imp.delayMs}`);
    args.push('delay', `${imp.delayMs}ms`);
    if (imp.jitterMs) args.push(`${imp.jitterMs}ms`);
  }
  if (imp.lossPercent !== undefined) {
    if (imp.lossPercent < 0 || imp.lossPercent > 100) throw new Error(`loss must be 0–100 %, got ${imp.lossPercent}`);
    args.push('loss', `${imp.lossPercent}%`);
  }
  if (args.length === 0) throw new Error('an impairment needs a delay or a loss');
  return args;
}

export async function impair(netns: string, tap: string, imp: Impairment): Promise<void> {
  await run('tc', ['qdisc', 'replace', 'dev', tap, 'root', 'netem', ...netemArgs(imp)], { netns });
}

export async function clearImpairment(netns: string, tap: string): Promise<void> {
  // Deleting the root qdisc when none was added fails; that is the state we want anyway.
  await run('tc', ['qdisc', 'del', 'dev', tap, 'root'], { netns, allowFail: true });
}
