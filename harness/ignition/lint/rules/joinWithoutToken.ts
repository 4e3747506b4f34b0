import type { ClusterRule, Finding } from '../types.ts';
import { clusterIntents, whoIs } from './clusterIntents.ts';

/** install.sh refuses K3S_URL without K3S_TOKEN/K3S_TOKEN_FILE; a --server join without a token is refused by the server. */
export const joinWithoutToken: ClusterRule = {
  name: 'join-without-token',
  description: 'K3S_URL or --server without a token',
  check(ctx) {
    return clusterIntents(ctx).flatMap((i): Finding[] => {
      if ((i.token && i.token.name === 'K3S_TOKEN') || i.tokenFile) return [];
      const joining = i.url ? { line: i.url.line, what: 'K3S_URL' } : i.server !== undefined && i.exec ? { line: i.exec.line, what: '--server' } : undefined;
      if (!joining) return [];
      return [
        {
          rule: 'join-without-token',
          severity: 'error',
          file: i.target.file,
          line: joining.line,
          message: `${whoIs(i)} joins with ${joining.what} but sets no K3S_TOKEN${i.token ? ` (${i.token.name} is not read)` : ''}`,
          fix: 'set Environment="K3S_TOKEN=<the cluster token>" (or K3S_TOKEN_FILE)',
        },
      ];
    });
  },
};
