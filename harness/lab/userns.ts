import { spawn } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { LabError } from '../errors.ts';
import { procId, stopProcess, type ProcId } from './procs.ts';
import { recordProcess } from './state.ts';

/**
 * Rootless labs: without root, `ip netns add` is not possible, so the lab's network namespace
 * is owned by a user namespace (`unshare --user --map-root-user --net`) and held open by one
 * process, the holder. Commands enter it with `nsenter --target <holder> --user --net`, which
 * makes them root inside the namespace only. The namespace ends when its last process does.
 */
const holders = new Map<string, ProcId>();

export function holderOf(netns: string): ProcId | undefined {
  return holders.get(netns);
}

export function nsenterArgs(holder: ProcId): string[] {
  return ['--target', String(holder.pid), '--user', '--net', '--preserve-credentials'];
}

function netNsOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/net`);
  } catch {
    return undefined;
  }
}

/** Every process in the same network namespace as `pid` (itself included). */
export function pidsSharingNetns(pid: number): number[] {
  const ns = netNsOf(pid);
  if (!ns) return [];
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((p) => netNsOf(p) === ns);
}

/** Creates the namespace pair and its holder; the holder's pid file makes a killed run reapable. */
export async function createUserNetns(netns: string, runDir: string): Promise<ProcId> {
  const child = spawn('unshare', ['--user', '--map-root-user', '--net', 'sleep', 'infinity'], { detached: true, stdio: 'ignore' });
  child.on('error', () => {});
  if (child.pid === undefined) throw new LabError('could not start unshare for a rootless lab namespace');
  child.unref();
  const holder = procId(child.pid);
  recordProcess(runDir, 'netns-holder', holder);
  const own = netNsOf(process.pid);
  const deadline = Date.now() + 5000;
  // unshare has done its work once the holder sits in another network namespace.
  while (netNsOf(holder.pid) === own || netNsOf(holder.pid) === undefined) {
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new LabError('unshare --user --map-root-user --net failed (are unprivileged user namespaces allowed on this host?)');
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  holders.set(netns, holder);
  return holder;
}

/** Stops everything inside the namespace, then the holder: the kernel frees the namespace with it. */
export async function deleteUserNetns(netns: string, holder: ProcId): Promise<void> {
  for (const pid of pidsSharingNetns(holder.pid)) {
    if (pid === holder.pid || pid === process.pid) continue;
    try {
      await stopProcess(procId(pid), 2000);
    } catch {
      // gone already
    }
  }
  await stopProcess(holder, 2000);
  holders.delete(netns);
}
