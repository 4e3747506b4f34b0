import { rmSync } from 'node:fs';
import { stateRoot } from '../paths.ts';
import { runIdOfNetns } from './names.ts';
import { deleteNetns, listNetns, netnsPids } from './netns.ts';
import { isAlive, procId, stopProcess, type ProcId } from './procs.ts';
import { listRuns, readRun, type RunRecord } from './state.ts';
import { pidsSharingNetns } from './userns.ts';

export interface Reaped {
  runId: string;
  killed: string[];
  netnsDeleted: boolean;
}

function ownerAlive(r: RunRecord): boolean {
  return r.owner !== undefined && isAlive(r.owner);
}

/**
 * Removes every trace of one run: its helpers (by pid file, then anything still living in its
 * namespace), the namespace (which takes the bridge and taps with it), then its state dir.
 */
export async function reapRun(runId: string, root = stateRoot()): Promise<Reaped> {
  const rec = readRun(runId, root);
  const killed: string[] = [];
  // A rootless run's namespace has no name: whatever shares the holder's namespace goes first.
  const holder = rec.procs.find((p) => p.name === 'netns-holder');
  if (holder && isAlive(holder.proc)) {
    for (const pid of pidsSharingNetns(holder.proc.pid)) {
      if (pid === holder.proc.pid || pid === process.pid || rec.procs.some((p) => p.proc.pid === pid)) continue;
      try {
        await stopProcess(procId(pid), 2000);
        killed.push(`pid ${pid}`);
      } catch {
        // already gone
      }
    }
  }
  // The holder last: while it lives, the namespace (and anything we missed in it) stays findable.
  for (const { name, proc } of [...rec.procs].sort((a, b) => Number(a.name === 'netns-holder') - Number(b.name === 'netns-holder'))) {
    if (isAlive(proc)) {
      await stopProcess(proc, 2000);
      killed.push(`${name}(${proc.pid})`);
    }
  }
  // Anything the pid files missed (a QEMU started by another room, a shell someone opened).
  for (const pid of await netnsPids(rec.netns)) {
    if (pid === process.pid) continue;
    let p: ProcId;
    try {
      p = procId(pid);
    } catch {
      continue;
    }
    await stopProcess(p, 2000);
    killed.push(`pid ${pid}`);
  }
  const hadNetns = (await listNetns()).includes(rec.netns);
  await deleteNetns(rec.netns);
  rmSync(rec.dir, { recursive: true, force: true });
  return { runId, killed, netnsDeleted: hadNetns };
}

/**
 * Reaps runs whose owner died without tearing down (kill -9, a crash, a reboot of the harness
 * but not of the host), and namespaces of ours that have no run record at all. Live runs of
 * other harness processes are left alone unless `all` is set; namespaces named like ours with no
 * record in this state root are removed only with `orphanNetns`.
 */
export async function reapStaleRuns(opts: { all?: boolean; orphanNetns?: boolean; root?: string } = {}): Promise<Reaped[]> {
  const root = opts.root ?? stateRoot();
  const reaped: Reaped[] = [];
  const runs = listRuns(root);
  for (const r of runs) {
    if (r.owner?.pid === process.pid) continue;
    if (!opts.all && ownerAlive(r)) continue;
    reaped.push(await reapRun(r.runId, root));
  }
  // Only on request (`lab clean`): a lab started with another LAB_STATE_DIR keeps its record
  // elsewhere, and its namespace must not look like an orphan to every lab that starts.
  if (!opts.orphanNetns) return reaped;
  const known = new Set(listRuns(root).map((r) => r.runId));
  for (const ns of await listNetns()) {
    const id = runIdOfNetns(ns);
    // A namespace is created only after its run record, so one without a record is an orphan.
    if (id && !known.has(id)) reaped.push(await reapRun(id, root));
  }
  return reaped;
}
