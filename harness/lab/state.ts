import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateRoot } from '../paths.ts';
import { isRunId, labNames } from './names.ts';
import { procId, type ProcId } from './procs.ts';

/**
 * The run registry: stateRoot()/<run-id>/ holds who owns the run (owner.json) and one pid
 * file per helper process (pids/<name>.pid: "<pid> <start time>"). A run whose owner is
 * gone was killed without teardown; `lab clean` reaps it from these files alone.
 */
export interface RunRecord {
  runId: string;
  dir: string;
  netns: string;
  owner?: ProcId;
  procs: { name: string; proc: ProcId }[];
}

export function runDir(runId: string, root = stateRoot()): string {
  return join(root, runId);
}

export function createRunState(runId: string, root = stateRoot()): string {
  const dir = runDir(runId, root);
  // Built under a hidden name and renamed into place: a lab starting at the same moment in
  // another process must never see this run without its owner and reap it.
  const partial = join(root, `.${runId}.partial`);
  mkdirSync(join(partial, 'pids'), { recursive: true, mode: 0o700 });
  const owner = procId(process.pid);
  writeFileSync(
    join(partial, 'owner.json'),
    JSON.stringify({ runId, netns: labNames(runId).netns, owner, createdAt: new Date().toISOString() }, null, 2) + '\n',
  );
  renameSync(partial, dir);
  return dir;
}

export function recordProcess(dir: string, name: string, p: ProcId): void {
  writeFileSync(join(dir, 'pids', `${name}.pid`), `${p.pid} ${p.startTime}\n`);
}

export function forgetProcess(dir: string, name: string): void {
  rmSync(join(dir, 'pids', `${name}.pid`), { force: true });
}

function parsePidFile(text: string): ProcId | undefined {
  const [pid, start] = text.trim().split(/\s+/).map(Number);
  return pid && start !== undefined && Number.isFinite(start) ? { pid, startTime: start } : undefined;
}

export function readRun(runId: string, root = stateRoot()): RunRecord {
  const dir = runDir(runId, root);
  let owner: ProcId | undefined;
  try {
    owner = (JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8')) as { owner?: ProcId }).owner;
  } catch {
    owner = undefined; // half-written by a run killed while starting: treat as ownerless
  }
  const pidsDir = join(dir, 'pids');
  const procs = existsSync(pidsDir)
    ? readdirSync(pidsDir)
        .filter((f) => f.endsWith('.pid'))
        .flatMap((f) => {
          const p = parsePidFile(readFileSync(join(pidsDir, f), 'utf8'));
          return p ? [{ name: f.slice(0, -4), proc: p }] : [];
        })
    : [];
  return { runId, dir, netns: labNames(runId).netns, owner, procs };
}

export function listRuns(root = stateRoot()): RunRecord[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter(isRunId)
    .map((id) => readRun(id, root));
}
