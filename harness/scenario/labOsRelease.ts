import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureLabOs, flatcarFiles, labOsFiles } from '../artifacts/labOs.ts';
import { UsageError } from '../errors.ts';

/** The lab OS release a run serves: a directory with Flatcar's file names, and its version. */
export interface LabOsRelease {
  version: string;
  dir: string;
  /** For the report: what it is, where it came from. */
  description: string;
  /** sha256 of the disk image, when known. */
  sha256?: string;
  /** Kernel arguments the release asks for on PXE boots (the lab OS's lab-pxe-kernel-args.txt; none for a Flatcar release). */
  pxeKernelArgs: string[];
}

const releaseFiles = Object.values(flatcarFiles);

/**
 * The release a run serves: the lab OS (built when its recipe changed, else from the cache), or
 * LAB_OS_DIR — a release directory given directly (a real Flatcar release dropped in, or a build).
 */
export async function labOsRelease(env: NodeJS.ProcessEnv = process.env, onProgress?: (line: string) => void): Promise<LabOsRelease> {
  if (env.LAB_OS_DIR) return checkRelease(env.LAB_OS_DIR, 'LAB_OS_DIR', 'release');
  const os = await ensureLabOs(onProgress ? { onProgress } : {});
  const release = checkRelease(os.versionDir, 'the lab OS build', 'lab OS');
  const sha256 = os.manifest.files[flatcarFiles.image]?.sha256;
  return { ...release, description: `lab OS ${os.version} (stand-in for Flatcar, ${os.built ? 'built now' : 'cached'}) ${os.versionDir}`, ...(sha256 ? { sha256 } : {}) };
}

export function checkRelease(dir: string, from: string, what: string): LabOsRelease {
  const missing = releaseFiles.filter((f) => !existsSync(join(dir, f)));
  if (missing.length) throw new UsageError(`${from}: ${dir} lacks ${missing.join(', ')} (build it: npm run lab -- images build)`);
  const version = /FLATCAR_VERSION=(\S+)/.exec(readFileSync(join(dir, 'version.txt'), 'utf8'))?.[1];
  if (!version) throw new UsageError(`${join(dir, 'version.txt')}: no FLATCAR_VERSION=`);
  return { version, dir, description: `${what} ${version} from ${dir}`, pxeKernelArgs: pxeKernelArgsOf(dir) };
}

/** One line of plain `key=value` or `flag` words: anything else would change pxelinux's APPEND line. */
export function pxeKernelArgsOf(dir: string): string[] {
  const file = join(dir, labOsFiles.pxeKernelArgs);
  if (!existsSync(file)) return [];
  const words = readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean);
  const bad = words.find((w) => !/^[\w.-]+(=[\w.,:/-]+)?$/.test(w));
  if (bad !== undefined) throw new UsageError(`${file}: '${bad}' is not a kernel argument (one line of key=value words)`);
  return words;
}
