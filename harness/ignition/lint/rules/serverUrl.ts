import type { ClusterRule, Finding } from '../types.ts';
import { clusterIntents, whoIs } from './clusterIntents.ts';

/** A joining node's --server / K3S_URL must be https://<a server of this topology>:6443. */
export const serverUrl: ClusterRule = {
  name: 'server-url',
  description: '--server / K3S_URL not pointing at a server of the topology on :6443',
  check(ctx) {
    const servers = ctx.topology?.nodes.filter((n) => n.role !== 'agent') ?? [];
    return clusterIntents(ctx).flatMap((i): Finding[] => {
      const checks = [
        ...(i.server !== undefined && i.exec ? [{ value: i.server, line: i.exec.line, what: '--server' }] : []),
        ...(i.url ? [{ value: i.url.value, line: i.url.line, what: 'K3S_URL' }] : []),
      ];
      return checks.flatMap(({ value, line, what }): Finding[] => {
        const problem = (message: string, fix: string): Finding[] => [{ rule: 'server-url', severity: 'error', file: i.target.file, line, message: `${whoIs(i)}: ${what} ${value || '(empty)'} ${message}`, fix }];
        let url: URL;
        try {
          url = new URL(value);
        } catch {
          return problem('is not a URL', `use ${what}=https://<first server>:6443`);
        }
        if (url.protocol !== 'https:') return problem('must use https:// (install.sh refuses other schemes)', 'use https://<first server>:6443');
        if (url.port !== '6443') return problem(`uses port ${url.port || '443'}, not the supervisor/API port 6443`, `use https://${url.hostname}:6443`);
        if (servers.length) {
          const target = servers.find((n) => n.ip === url.hostname || n.name === url.hostname);
          if (!target) return problem(`points at ${url.hostname}, which is no server of this topology (${servers.map((s) => `${s.name} ${s.ip}`).join(', ')})`, `use https://${servers[0]!.ip}:6443`);
          if (target.name === i.target.node?.name) return problem('points at the node itself', `join another server: https://${servers.find((s) => s.name !== target.name)?.ip ?? '<first server>'}:6443`);
        }
        return [];
      });
    });
  },
};
