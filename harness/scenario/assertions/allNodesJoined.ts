import { etcdMembersLine } from './etcdMembers.ts';
import type { Assertion } from './types.ts';

const serverRoles = ['control-plane', 'etcd', 'master'];

/** The API lists every node Ready with its roles, and etcd's members are exactly the servers. */
export const allNodesJoined: Assertion = {
  name: 'all-nodes-joined',
  description: 'the Kubernetes API lists every node Ready with its roles; etcd members = the servers',
  check(evidence) {
    const name = this.name;
    const cluster = evidence.cluster;
    if (!cluster) return { name, ok: false, detail: 'the cluster was not queried' };
    if (cluster.error) return { name, ok: false, detail: `the API could not be read: ${cluster.error}` };
    const lines: string[] = [];
    let ok = true;
    for (const n of evidence.nodes) {
      const listed = cluster.nodes.find((c) => c.name === n.name);
      const wantRoles = n.role === 'agent' ? [] : serverRoles;
      if (!listed) {
        ok = false;
        lines.push(`${n.name}: FAIL — not listed by the API`);
        continue;
      }
      const missing = wantRoles.filter((r) => !listed.roles.includes(r));
      const good = listed.ready && missing.length === 0;
      ok &&= good;
      const roles = listed.roles.length ? listed.roles.join(',') : 'no roles';
      lines.push(`${n.name}: ${good ? 'ok' : 'FAIL'} — ${listed.ready ? 'Ready' : 'NotReady'}, ${roles}${missing.length ? ` (missing ${missing.join(',')})` : ''}`);
    }
    const strangers = cluster.nodes.filter((c) => !evidence.nodes.some((n) => n.name === c.name));
    if (strangers.length) {
      ok = false;
      lines.push(`unexpected nodes in the API: ${strangers.map((s) => s.name).join(', ')}`);
    }
    const etcd = etcdMembersLine(evidence);
    ok &&= etcd.ok;
    lines.push(etcd.line);
    return { name, ok, detail: lines.join('\n') };
  },
};
