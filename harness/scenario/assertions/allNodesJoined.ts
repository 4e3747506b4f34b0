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
    const servers = evidence.nodes.filter((n) => n.role !== 'agent').map((n) => n.name).sort();
    if (cluster.etcdMembers === undefined) {
      ok = false;
      lines.push(`etcd: FAIL — members could not be read${cluster.etcdError ? `: ${cluster.etcdError}` : ''}`);
    } else {
      const members = [...cluster.etcdMembers].sort();
      const same = members.length === servers.length && members.every((m, i) => m === servers[i] || m.startsWith(`${servers[i]}-`));
      ok &&= same;
      lines.push(`etcd: ${same ? 'ok' : 'FAIL'} — members ${members.join(', ') || '(none)'}; servers ${servers.join(', ')}`);
    }
    return { name, ok, detail: lines.join('\n') };
  },
};
