import { join } from 'node:path';
import type { MirrorMount } from './mirror.ts';

/**
 * What goes on the mirror, by meaning rather than by URL; mirrorMounts() turns it into the
 * shared URL layout (see the helper brief):
 *   /flatcar/<board>/<version>/…  and  /flatcar/<board>/current/…
 *   /ignition/…, /k3s/install.sh            (from the rendered run directory)
 *   /k3s/releases/download/<version>/…      (GitHub's layout, for install.sh's GITHUB_URL)
 */
export interface MirrorContent {
  /** `<out>/mirror` written by `lab render` (holds ignition/ and k3s/install.sh). */
  renderedDir?: string;
  /** Directories holding flatcar_production_* files and version.txt; `current` marks the one `current/` serves. */
  flatcar?: { version: string; dir: string; board?: string; current?: boolean }[];
  /** Directories holding `k3s` and `sha256sum-amd64.txt` for one version. */
  k3s?: { version: string; dir: string }[];
  extra?: MirrorMount[];
}

export function mirrorMounts(c: MirrorContent): MirrorMount[] {
  const mounts: MirrorMount[] = [];
  if (c.renderedDir) {
    mounts.push({ urlPath: '/ignition/', dir: join(c.renderedDir, 'ignition') });
    mounts.push({ urlPath: '/k3s/', dir: join(c.renderedDir, 'k3s') });
  }
  const releases = c.flatcar ?? [];
  for (const r of releases) mounts.push({ urlPath: `/flatcar/${r.board ?? 'amd64-usr'}/${r.version}/`, dir: r.dir });
  const boards = new Set(releases.map((r) => r.board ?? 'amd64-usr'));
  for (const board of boards) {
    const ofBoard = releases.filter((r) => (r.board ?? 'amd64-usr') === board);
    const current = ofBoard.find((r) => r.current) ?? ofBoard[ofBoard.length - 1];
    if (current) mounts.push({ urlPath: `/flatcar/${board}/current/`, dir: current.dir });
  }
  for (const k of c.k3s ?? []) mounts.push({ urlPath: `/k3s/releases/download/${k.version}/`, dir: k.dir });
  return [...mounts, ...(c.extra ?? [])];
}

/** URLs of the shared layout, so callers never spell them by hand. */
export const mirrorPaths = {
  ignition: (node: string, stage: 'pxe' | 'boot') => `/ignition/${node}-ignite-${stage}.ign`,
  flatcarDir: (version: string, board = 'amd64-usr') => `/flatcar/${board}/${version}`,
  installScript: '/k3s/install.sh',
  /** What install.sh's GITHUB_URL is set to (relative to the mirror's base URL). */
  k3sReleases: '/k3s/releases',
  k3sBinary: (version: string) => `/k3s/releases/download/${version}/k3s`,
  k3sChecksums: (version: string) => `/k3s/releases/download/${version}/sha256sum-amd64.txt`,
} as const;
