import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './errors.ts';
import { checkRelease } from './scenario/labOsRelease.ts';

/**
 * The LAB_* variables a person sets, checked before anything is started or written, so a typo
 * costs one line and not a half-built lab. Each check names the variable and the fix.
 */
export function checkEnvironment(env: NodeJS.ProcessEnv = process.env): void {
  const accel = env.LAB_ACCEL;
  if (accel !== undefined && accel !== 'kvm' && accel !== 'tcg') throw new UsageError(`LAB_ACCEL=${accel}: want kvm or tcg (or leave it unset: the lab probes KVM)`);
  const cpus = env.LAB_NODE_CPUS;
  if (cpus !== undefined && !/^[1-9][0-9]?$/.test(cpus)) throw new UsageError(`LAB_NODE_CPUS=${cpus}: want a whole number of vCPUs per node from 1 to 99 (or leave it unset: the host's cores are shared out among the nodes)`);
  for (const name of ['LAB_CACHE_DIR', 'LAB_STATE_DIR'] as const) {
    const dir = env[name];
    if (dir) writableDir(name, resolve(dir));
  }
  if (env.LAB_OS_DIR) checkRelease(env.LAB_OS_DIR, 'LAB_OS_DIR', 'release');
  const scenarios = env.LAB_SCENARIOS_DIR;
  if (scenarios && !isDir(resolve(scenarios))) throw new UsageError(`LAB_SCENARIOS_DIR: ${resolve(scenarios)} is not a directory`);
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The directory, or the nearest part of its path that exists, must be a directory we may write to (created later, when needed). */
function writableDir(name: string, dir: string): void {
  let p = dir;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  let why: string | undefined;
  if (!isDir(p)) why = `${p} is not a directory`;
  else {
    try {
      accessSync(p, constants.W_OK);
    } catch {
      why = `${p} is not writable`;
    }
  }
  if (why) throw new UsageError(`${name}: ${dir} is not a writable directory (${why}); point it at one`);
}
