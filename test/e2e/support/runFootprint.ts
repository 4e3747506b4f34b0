import { readdirSync, readFileSync } from 'node:fs';
import { isAlive, procId, type ProcId } from '../../../harness/lab/procs.ts';
import { labTraces } from '../../../harness/lab/traces.ts';

/**
 * What one harness process has made, read while it runs: its descendant processes (QEMU, dnsmasq,
 * the mirror, the probe), its run ids (owner.json names it) and temp dirs (.fkl-owner names it).
 * Other labs on the machine are not its footprint, so a check stays true next to them.
 */
export interface Footprint {
  procs: (ProcId & { cmdline: string })[];
  marks: string[];
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const t of safe(() => readdirSync(`/proc/${pid}/task`), [] as string[])) {
    const text = safe(() => readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8'), '');
    out.push(...text.trim().split(/\s+/).filter(Boolean).map(Number));
  }
  return out;
}

function safe<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}

export async function footprintOf(harnessPid: number, previous?: Footprint): Promise<Footprint> {
  const procs = new Map((previous?.procs ?? []).map((p) => [p.pid, p]));
  const queue = childrenOf(harnessPid);
  while (queue.length) {
    const pid = queue.shift()!;
    const id = safe(() => procId(pid), undefined);
    if (id && !procs.has(pid)) procs.set(pid, { ...id, cmdline: safe(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8'), '').split('\0').join(' ').slice(0, 120) });
    queue.push(...childrenOf(pid));
  }
  const marks = new Set(previous?.marks ?? []);
  const owned = (file: string) => safe(() => (JSON.parse(readFileSync(file, 'utf8')) as { owner?: ProcId; pid?: number }), {} as { owner?: ProcId; pid?: number });
  for (const t of await labTraces()) {
    const dir = t.replace(/^(run record|temp dir) /, '');
    if (t.startsWith('run record ') && owned(`${dir}/owner.json`).owner?.pid === harnessPid) marks.add(dir.split('/').pop()!);
    if (t.startsWith('temp dir ') && owned(`${dir}/.fkl-owner`).pid === harnessPid) marks.add(dir);
  }
  return { procs: [...procs.values()], marks: [...marks] };
}

/** What of the footprint is still there: live processes, and any trace naming its run ids or temp dirs. */
export async function leftOf(f: Footprint): Promise<string[]> {
  const left = f.procs.filter((p) => isAlive(p)).map((p) => `process ${p.pid}: ${p.cmdline}`);
  const traces = await labTraces();
  left.push(...traces.filter((t) => f.marks.some((m) => t.includes(m))));
  return left;
}
