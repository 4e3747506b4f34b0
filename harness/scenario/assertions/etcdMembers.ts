import type { RunEvidence } from '../evidence.ts';

/** etcd's members at the end of the run against the servers: the line an assertion reports, and whether they match. */
export function etcdMembersLine(evidence: RunEvidence, when = ''): { ok: boolean; line: string } {
  const servers = evidence.nodes.filter((n) => n.role !== 'agent').map((n) => n.name).sort();
  const members = evidence.cluster?.etcdMembers;
  if (members === undefined) return { ok: false, line: `etcd: FAIL — members could not be read${when}${evidence.cluster?.etcdError ? `: ${evidence.cluster.etcdError}` : ''}` };
  const sorted = [...members].sort();
  // The double and k3s name a member <node>-<suffix>.
  const same = sorted.length === servers.length && sorted.every((m, i) => m === servers[i] || m.startsWith(`${servers[i]}-`));
  return { ok: same, line: `etcd: ${same ? 'ok' : 'FAIL'} — members ${sorted.join(', ') || '(none)'}; servers ${servers.join(', ')}` };
}
