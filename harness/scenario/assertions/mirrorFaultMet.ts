import type { Assertion } from './types.ts';

/**
 * Each mirror fault the scenario set was really met: the mirror's access log shows the path
 * answered as the fault said (499 for a stall, nothing sent) — so a pass proves the fault was
 * survived, not missed — and then served (200) once the fault's requests were spent.
 */
export const mirrorFaultMet: Assertion = {
  name: 'mirror-fault-met',
  description: 'every mirror fault the scenario set was met by a node (as the access log shows), and the path was served after it',
  check(evidence) {
    const rules = evidence.mirrorFaults ?? [];
    if (rules.length === 0) return { name: this.name, ok: false, detail: 'FAIL — the scenario set no mirror fault' };
    const lines = rules.map((r) => {
      const status = r.action === 'stall' ? 499 : r.action;
      const hits = evidence.http.filter((e) => e.path.startsWith(r.path));
      const faulted = hits.filter((e) => e.status === status).length;
      const servedAfter = hits.some((e, i) => e.status === 200 && hits.slice(0, i).some((h) => h.status === status));
      const ok = faulted >= Math.min(r.count, 1) && servedAfter;
      return { ok, text: `${ok ? 'ok' : 'FAIL'} — ${r.path}: ${faulted} of ${r.count} request(s) answered ${status}, ${servedAfter ? 'then served 200' : 'never served after the fault'}` };
    });
    return { name: this.name, ok: lines.every((l) => l.ok), detail: lines.map((l) => l.text).join('\n') };
  },
};
