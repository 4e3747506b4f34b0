import { freshlyReady } from '../availability.ts';
import { etcdMembersLine } from './etcdMembers.ts';
import type { Assertion } from './types.ts';

const s = (ms: number) => `${Math.round(ms / 1000)} s`;

/**
 * After the scenario's last fault ended, the API lists every node Ready again within the
 * recovery budget (judged from the API samples the runner took each second), and at the end of
 * the run etcd's members are exactly the servers.
 */
export const clusterRecovers: Assertion = {
  name: 'cluster-recovers',
  description: 'after the last fault, every node Ready again within the budget; etcd members = the servers at the end',
  check(evidence) {
    const name = this.name;
    const faults = evidence.faults ?? [];
    if (faults.length === 0) return { name, ok: false, detail: 'FAIL — the run put no fault into the lab: nothing to recover from' };
    const last = faults.reduce((a, b) => (b.endAt > a.endAt ? b : a));
    const budget = evidence.recoveryBudgetMs ?? Number.POSITIVE_INFINITY;
    const all = evidence.nodes.map((n) => n.name);
    const first = faults.reduce((a, b) => (b.at < a.at ? b : a));
    const ready = freshlyReady(evidence.apiSamples ?? [], first.at, last.endAt);
    const samples = (evidence.apiSamples ?? []).filter((x) => x.at >= last.endAt);
    const back = samples.find((x) => x.ok && all.every((n) => ready(x).includes(n)));
    const lines: string[] = [];
    let ok = true;
    if (!back) {
      ok = false;
      const lastOk = [...samples].reverse().find((x) => x.ok);
      lines.push(`FAIL — never all Ready after "${last.name}" ended (${samples.length} API samples after it${lastOk ? `; last answer listed Ready: ${ready(lastOk).join(', ') || 'none'}` : '; the API never answered'})`);
    } else {
      const took = back.at - last.endAt;
      const inTime = took <= budget;
      ok &&= inTime;
      lines.push(`${inTime ? 'ok' : 'FAIL'} — every node Ready ${s(took)} after "${last.name}" ended (budget ${s(budget)})`);
    }
    const etcd = etcdMembersLine(evidence, ' at the end');
    ok &&= etcd.ok;
    lines.push(etcd.line);
    return { name, ok, detail: lines.join('\n') };
  },
};
