import type { ClusterRule, Finding } from '../types.ts';
import { clusterIntents, whoIs } from './clusterIntents.ts';

/** Exactly one server starts embedded etcd with --cluster-init; the others join it. */
export const clusterInitCount: ClusterRule = {
  name: 'cluster-init',
  description: 'no first server with --cluster-init, or more than one',
  check(ctx) {
    const intents = clusterIntents(ctx);
    const inits = intents.filter((i) => i.clusterInit);
    if (inits.length > 1) {
      return inits.slice(1).map((i) => ({
        rule: 'cluster-init',
        severity: 'error' as const,
        file: i.target.file,
        line: i.exec?.line ?? i.target.source.units[0]?.loc.line ?? 1,
        message: `${whoIs(i)} also runs --cluster-init (so does ${whoIs(inits[0]!)}): two separate clusters`,
        fix: `join ${whoIs(inits[0]!)} instead: INSTALL_K3S_EXEC="server --server https://<first server>:6443"`,
      }));
    }
    const joins = intents.some((i) => i.server !== undefined || i.url);
    const expectsInit = ctx.topology?.nodes.some((n) => n.role === 'init') ?? false;
    if (inits.length === 0 && intents.length > 0 && (joins || expectsInit)) {
      const meant = intents.find((i) => i.target.node?.role === 'init') ?? intents.find((i) => i.server === undefined && !i.url) ?? intents[0]!;
      const misspelt = meant.target.source && meant.exec === undefined;
      return [
        {
          rule: 'cluster-init',
          severity: 'error',
          file: meant.target.file,
          line: meant.exec?.line ?? meant.token?.line ?? meant.target.source.units[0]?.loc.line ?? 1,
          message: `no node runs --cluster-init, so there is no cluster to join${misspelt ? ` (${whoIs(meant)} sets no INSTALL_K3S_EXEC that install.sh reads)` : ''}`,
          fix: `set INSTALL_K3S_EXEC="server --cluster-init" on ${whoIs(meant)}`,
        } satisfies Finding,
      ];
    }
    return [];
  },
};
