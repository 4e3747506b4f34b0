import { readFileSync } from 'node:fs';

/**
 * A process identity that survives pid reuse: the pid plus its start time in clock ticks
 * since boot (field 22 of /proc/<pid>/stat). Killing by pid alone after a crash could hit
 * an unrelated process that got the same pid.
 */
export interface ProcId {
  pid: number;
  startTime: number;
}

export function startTimeOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const v = Number(rest[19]);
    return Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

export function procId(pid: number): ProcId {
  const startTime = startTimeOf(pid);
  if (startTime === undefined) throw new Error(`process ${pid} is gone`);
  return { pid, startTime };
}

/** True while that very process runs (zombies count as gone: they hold nothing but a pid). */
export function isAlive(p: ProcId): boolean {
  if (startTimeOf(p.pid) !== p.startTime) return false;
  try {
    const state = readFileSync(`/proc/${p.pid}/stat`, 'utf8');
    return state.slice(state.lastIndexOf(')') + 2, state.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export function signal(p: ProcId, sig: NodeJS.Signals): boolean {
  if (!isAlive(p)) return false;
  try {
    process.kill(p.pid, sig);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, then SIGKILL after graceMs; resolves once the process is gone. */
export async function stopProcess(p: ProcId, graceMs = 3000): Promise<void> {
  if (!signal(p, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (isAlive(p) && Date.now() < deadline) await sleep(50);
  if (signal(p, 'SIGKILL')) {
    const hard = Date.now() + 5000;
    while (isAlive(p) && Date.now() < hard) await sleep(50);
  }
}
