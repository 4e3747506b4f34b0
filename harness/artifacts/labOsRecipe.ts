import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectRoot } from '../paths.ts';

/** images/lab-os: everything that decides what the lab OS image contains. */
export const labOsRecipeDir = join(projectRoot, 'images', 'lab-os');

/** Build options: recipe.json, overridable per build (the mirror prefix is what flatcar-install defaults to). */
export interface LabOsOptions {
  version: string;
  board: string;
  /** flatcar-install's default base URL is `<mirrorBasePrefix>/<board>`. */
  mirrorBasePrefix: string;
  /** Size of the ROOT partition (ext4: /etc, /var, /opt, /home) in the disk image. */
  rootPartitionMiB: number;
}

export function readLabOsOptions(recipeDir = labOsRecipeDir): LabOsOptions {
  const file = join(recipeDir, 'recipe.json');
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<LabOsOptions>;
  const opts = { version: raw.version, board: raw.board, mirrorBasePrefix: raw.mirrorBasePrefix, rootPartitionMiB: raw.rootPartitionMiB ?? 1024 };
  if (!opts.version || !/^\d+\.\d+\.\d+$/.test(opts.version)) throw new Error(`${file}: version must be x.y.z`);
  if (!opts.board) throw new Error(`${file}: board missing`);
  if (!opts.mirrorBasePrefix || !/^https?:\/\//.test(opts.mirrorBasePrefix)) {
    throw new Error(`${file}: mirrorBasePrefix must be an http(s) URL`);
  }
  if (!Number.isInteger(opts.rootPartitionMiB) || opts.rootPartitionMiB < 256) throw new Error(`${file}: rootPartitionMiB must be an integer >= 256`);
  return opts as LabOsOptions;
}

/** Every regular file under dir, as sorted paths relative to dir. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * A digest of file names, contents and the executable bit (a script losing +x changes the image),
 * plus any extra strings (build options, the signing key).
 */
export function hashFiles(dir: string, files: string[], extra: string[] = []): string {
  const h = createHash('sha256');
  for (const f of files) {
    const p = join(dir, f);
    const exec = (statSync(p).mode & 0o111) !== 0 ? 'x' : '-';
    h.update(`${f}\0${exec}\0`).update(readFileSync(p)).update('\0');
  }
  for (const e of extra) h.update(`extra\0${e}\0`);
  return h.digest('hex').slice(0, 16);
}

/** Stage 1 (mmdebstrap) depends only on the package list and its own script. */
export const rootfsRecipeFiles = ['packages.txt', 'stages/rootfs.sh'];

export function rootfsHash(recipeDir = labOsRecipeDir): string {
  return hashFiles(recipeDir, rootfsRecipeFiles);
}

/** Files that describe the recipe but never reach the image. */
const notInImage = (f: string): boolean => f.endsWith('.md');

/** The whole recipe: every file, the build options and the key that signs (and is baked into) the image. */
export function recipeHash(opts: LabOsOptions, signingKeyFingerprint: string, recipeDir = labOsRecipeDir): string {
  return hashFiles(recipeDir, listFiles(recipeDir).filter((f) => !notInImage(f)), [JSON.stringify(opts), signingKeyFingerprint]);
}
