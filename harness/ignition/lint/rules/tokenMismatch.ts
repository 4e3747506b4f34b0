import type { ClusterRule, Finding } from '../types.ts';
import { clusterIntents, whoIs } from './clusterIntents.ts';

/** Every node of one cluster must share K3S_TOKEN, or the joins are refused. Values are never printed. */
export const tokenMismatch: ClusterRule = {
  name: 'token-mismatch',
  description: 'K3S_TOKEN differs between nodes of one cluster',
  check(ctx) {
    const withToken = clusterIntents(ctx).filter((i) => i.token);
    const first = withToken[0];
    if (!first) return [];
    return withToken.slice(1).flatMap((i): Finding[] =>
      i.token!.value === first.token!.value
        ? []
        : [
            {
              rule: 'token-mismatch',
              severity: 'error',
              file: i.target.file,
              line: i.token!.line,
              message: `${whoIs(i)}'s ${i.token!.name} differs from ${whoIs(first)}'s ${first.token!.name} (${first.target.file}:${first.token!.line}): it cannot join`,
              fix: 'use one token for the whole cluster (one variable in the template)',
            },
          ],
    );
  },
};
