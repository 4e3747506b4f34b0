import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive, procId, type ProcId } from './procs.ts';

/**
 * Temp dirs of runs (rendered configs, disks, console logs, keys) carry their owner, so a run
 * killed before its teardown leaves a dir the next run or `lab clean` recognises and removes.
 * The prefix is the project's own (`fkl-`); the owner file names pid and start time, so a reused
 * pid is not mistaken for the owner.
 */
const prefix = 'fkl-';
const ownerFile = '.fkl-owner';

export function ownedTempDir(name: string, root = tmpdir()): string {
  const dir = mkdtempSync(join(root, `${prefix}${name}-`));
  writeFileSync(join(dir, ownerFile), `${JSON.stringify(procId(process.pid))}\n`);
  return dir;
}

function ownerOf(dir: string): ProcId | undefined {
  try {
    const p = JSON.parse(readFileSync(join(dir, ownerFile), 'utf8')) as Partial<ProcId>;
    return typeof p.pid === 'number' && typeof p.startTime === 'number' ? { pid: p.pid, startTime: p.startTime } : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the temp dirs whose owner is gone; dirs without an owner file are not ours to judge. */
export function reapTempDirs(root = tmpdir()): string[] {
  let names: string[];
  try {
    names = readdirSync(root).filter((n) => n.startsWith(prefix));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    const dir = join(root, n);
    const owner = ownerOf(dir);
    if (!owner || isAlive(owner)) continue;
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}
