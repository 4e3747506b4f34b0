import { k3sIntent, type K3sIntent } from '../facts.ts';
import type { LintContext } from '../types.ts';

/** The k3s intent of every config that runs install.sh (boot-stage configs), one per node. */
export function clusterIntents(ctx: LintContext): K3sIntent[] {
  return ctx.targets.flatMap((t) => k3sIntent(t) ?? []);
}

export function whoIs(i: K3sIntent): string {
  return i.target.node?.name ?? i.target.file;
}
