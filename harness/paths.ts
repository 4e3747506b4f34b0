import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout this harness runs from. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Where built images, k3s binaries and downloads are cached across runs.
 * LAB_CACHE_DIR overrides; otherwise the user's cache dir, as XDG says.
 */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LAB_CACHE_DIR) return resolve(env.LAB_CACHE_DIR);
  const xdg = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(xdg, 'flatcar-k3s-lab');
}

/** Installed disks kept for --reuse-install: `<cache>/installs`, or LAB_INSTALLS_DIR (kept apart, as a test does). */
export function installsRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.LAB_INSTALLS_DIR ? resolve(env.LAB_INSTALLS_DIR) : join(cacheRoot(env), 'installs');
}

/**
 * Where live runs keep pid files and state that `lab clean` reaps.
 * Under /run when root so a reboot clears it; LAB_STATE_DIR overrides.
 */
export function stateRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LAB_STATE_DIR) return resolve(env.LAB_STATE_DIR);
  if (process.getuid?.() === 0) return '/run/flatcar-k3s-lab';
  return join(env.XDG_RUNTIME_DIR || join(homedir(), '.local', 'state'), 'flatcar-k3s-lab');
}

export const reportsRoot = join(projectRoot, 'reports');
