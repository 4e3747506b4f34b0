import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../errors.ts';
import { projectRoot } from '../paths.ts';

/** The lab OS release a run serves: a directory with Flatcar's file names, and its version. */
export interface LabOsRelease {
  version: string;
  dir: string;
  /** For the report: what it is, where it came from. */
  description: string;
  /** sha256 of the disk image, when known. */
  sha256?: string;
}

const releaseFiles = ['flatcar_production_pxe.vmlinuz', 'flatcar_production_pxe_image.cpio.gz', 'flatcar_production_image.bin.bz2', 'flatcar_production_image.bin.bz2.sig', 'version.txt'];

/**
 * The lab OS from issue 2's harness/artifacts/labOs.ts (`ensureLabOs`), loaded at run time so
 * this module does not fix its shape: any result carrying a release directory and a version works.
 * LAB_OS_DIR points at a release directory directly (a real Flatcar release dropped in, or a build).
 */
export async function labOsRelease(env: NodeJS.ProcessEnv = process.env, onProgress?: (line: string) => void): Promise<LabOsRelease> {
  if (env.LAB_OS_DIR) return checkRelease(env.LAB_OS_DIR, 'LAB_OS_DIR');
  const file = join(projectRoot, 'harness', 'artifacts', 'labOs.ts');
  if (!existsSync(file)) throw new UsageError('the lab OS is not available: harness/artifacts/labOs.ts is missing (set LAB_OS_DIR to a release directory)');
  const mod = (await import(pathToFileURL(file).href)) as { ensureLabOs?: (opts?: { onProgress?: (line: string) => void }) => Promise<Record<string, unknown>> };
  if (!mod.ensureLabOs) throw new UsageError('harness/artifacts/labOs.ts has no ensureLabOs()');
  // Builds the lab OS when its recipe changed (minutes), else returns the cached one at once.
  const os = await mod.ensureLabOs(onProgress ? { onProgress } : {});
  const dir = [os.releaseDir, os.versionDir, os.dir].find((d): d is string => typeof d === 'string' && existsSync(join(d, 'version.txt')));
  if (!dir) throw new UsageError(`ensureLabOs() returned no release directory with version.txt (keys: ${Object.keys(os).join(', ')})`);
  const release = await checkRelease(dir, 'the lab OS build');
  const manifest = os.manifest as { files?: Record<string, { sha256?: string }> } | undefined;
  const sha256 = manifest?.files?.['flatcar_production_image.bin.bz2']?.sha256;
  return { ...release, ...(sha256 ? { sha256 } : {}) };
}

async function checkRelease(dir: string, from: string): Promise<LabOsRelease> {
  const missing = releaseFiles.filter((f) => !existsSync(join(dir, f)));
  if (missing.length) throw new UsageError(`${from}: ${dir} lacks ${missing.join(', ')} (build it: npm run lab -- images build)`);
  const { readFileSync } = await import('node:fs');
  const version = /FLATCAR_VERSION=(\S+)/.exec(readFileSync(join(dir, 'version.txt'), 'utf8'))?.[1];
  if (!version) throw new UsageError(`${join(dir, 'version.txt')}: no FLATCAR_VERSION=`);
  return { version, dir, description: `lab OS ${version} (stand-in for Flatcar) from ${dir}` };
}
