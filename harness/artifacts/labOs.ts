import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import { cacheRoot } from '../paths.ts';
import { damagedFiles } from './cachedFiles.ts';
import { labOsRecipeDir, readLabOsOptions, recipeHash, rootfsHash, type LabOsOptions } from './labOsRecipe.ts';
import { ensureSigningKey, signDetached } from './signingKey.ts';
import { runStage, type Progress } from './stageRunner.ts';

/** Flatcar's file names, as a real release lays them out in its mirror. */
export const flatcarFiles = {
  image: 'flatcar_production_image.bin.bz2',
  imageSig: 'flatcar_production_image.bin.bz2.sig',
  versionTxt: 'version.txt',
  pxeKernel: 'flatcar_production_pxe.vmlinuz',
  pxeInitrd: 'flatcar_production_pxe_image.cpio.gz',
} as const;

/**
 * What the lab OS release carries beyond Flatcar's files. Its kernel is Debian's, whose default
 * LSM is AppArmor: SELinux (as Flatcar's kernel enables it) needs `security=selinux` on every
 * boot, PXE boots too. The image build says so in this file; the harness adds the arguments to
 * its pxelinux configs. A real Flatcar release has no such file and gets none.
 */
export const labOsFiles = {
  pxeKernelArgs: 'lab-pxe-kernel-args.txt',
} as const;

export interface LabOsFile {
  bytes: number;
  sha256: string;
}

export interface LabOsManifest {
  /** Says what this is wherever the manifest ends up: a stand-in, not a Flatcar release. */
  kind: 'flatcar-lab-os';
  version: string;
  board: string;
  recipeHash: string;
  rootfsHash: string;
  mirrorBasePrefix: string;
  signingKeyFingerprint: string;
  builtAt: string;
  buildSeconds: number;
  stageSeconds: Record<string, number>;
  /** The raw disk image flatcar-install writes (before bzip2). */
  diskRawBytes: number;
  files: Record<string, LabOsFile>;
}

export interface LabOs {
  /** <cache>/lab-os/<recipe-hash> */
  dir: string;
  version: string;
  board: string;
  /** Serve this directory at /flatcar/: it holds `<board>/<version>/…` and `<board>/current`. */
  mirrorRoot: string;
  /** `<mirrorRoot>/<board>/<version>`, where the files below live. */
  versionDir: string;
  pxeKernel: string;
  pxeInitrd: string;
  image: string;
  imageSig: string;
  publicKey: string;
  manifest: LabOsManifest;
  /** True when this call built it; false when it came from the cache. */
  built: boolean;
}

export interface EnsureLabOsOptions {
  onProgress?: Progress;
  force?: boolean;
  /** Overrides recipe.json's mirrorBasePrefix (flatcar-install's default base URL is `<prefix>/<board>`). */
  mirrorBasePrefix?: string;
  cacheDir?: string;
}

export function labOsCacheDir(cacheDir = cacheRoot()): string {
  return join(cacheDir, 'lab-os');
}

/**
 * The lab OS for the current recipe: from the cache when its recipe hash was built before,
 * otherwise built (mmdebstrap stage cached separately, keyed by the package list).
 */
export async function ensureLabOs(opts: EnsureLabOsOptions = {}): Promise<LabOs> {
  const say = opts.onProgress ?? (() => {});
  const base = labOsCacheDir(opts.cacheDir);
  mkdirSync(base, { recursive: true });
  const options: LabOsOptions = { ...readLabOsOptions(), ...(opts.mirrorBasePrefix ? { mirrorBasePrefix: opts.mirrorBasePrefix } : {}) };
  const key = await ensureSigningKey(join(base, 'signing-key'));
  const hash = recipeHash(options, key.fingerprint);
  const dir = join(base, hash);

  if (!opts.force && existsSync(join(dir, 'manifest.json'))) {
    const os = describe(dir, key.publicKey, false);
    const damaged = await damagedFiles(os.versionDir, os.manifest.files, dir);
    if (damaged.length) throw new UsageError(`lab OS cache ${dir} is damaged: ${damaged.join('; ')}; rebuild it: npm run lab -- images build --force`);
    return os;
  }

  say(opts.force ? `lab-os: rebuilding ${hash} (--force)` : `lab-os: recipe hash ${hash} not in cache: ${whyRebuild(base, hash)}`);
  const started = Date.now();
  const stageSeconds: Record<string, number> = {};
  if (!process.getuid || process.getuid() !== 0) throw new Error('building the lab OS needs root (mmdebstrap, chroot, mounts)');

  const rfsHash = rootfsHash();
  const rootfs = join(base, `rootfs-${rfsHash}`);
  if (!existsSync(join(rootfs, '.complete'))) {
    say(`lab-os: stage rootfs ${rfsHash}: mmdebstrap bookworm (network-bound, ~1-3 min)`);
    const tmp = `${rootfs}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    try {
      stageSeconds.rootfs = await runStage('rootfs', 'bash', [join(labOsRecipeDir, 'stages/rootfs.sh'), join(labOsRecipeDir, 'packages.txt'), tmp], { onProgress: say });
      writeFileSync(join(tmp, '.complete'), `${new Date().toISOString()}\n`);
      rmSync(rootfs, { recursive: true, force: true });
      renameSync(tmp, rootfs);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  } else {
    say(`lab-os: stage rootfs ${rfsHash} from cache`);
  }

  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    const out = join(tmp, 'out');
    mkdirSync(out, { recursive: true });
    stageSeconds.image = await runStage('image', 'bash', [join(labOsRecipeDir, 'stages/image.sh'), rootfs, labOsRecipeDir, out], {
      onProgress: say,
      env: {
        LAB_OS_VERSION: options.version,
        LAB_OS_BUILD_ID: hash,
        LAB_BASE_PREFIX: options.mirrorBasePrefix,
        LAB_PUBKEY: key.publicKey,
        LAB_BOARD: options.board,
        LAB_ROOT_MIB: String(options.rootPartitionMiB),
      },
    });

    say('lab-os: signing the disk image and laying out the mirror');
    const t = Date.now();
    const versionDir = join(tmp, 'mirror', options.board, options.version);
    mkdirSync(versionDir, { recursive: true });
    for (const f of [flatcarFiles.image, flatcarFiles.pxeKernel, flatcarFiles.pxeInitrd, labOsFiles.pxeKernelArgs]) renameSync(join(out, f), join(versionDir, f));
    writeFileSync(join(versionDir, flatcarFiles.versionTxt), versionTxt(options.version, options.board, hash));
    await signDetached(key, join(versionDir, flatcarFiles.image));
    symlinkSync(options.version, join(tmp, 'mirror', options.board, 'current'));
    const diskRawBytes = Number(readFileSync(join(out, 'disk-raw-bytes'), 'utf8').trim());
    rmSync(out, { recursive: true, force: true });
    const files: Record<string, LabOsFile> = {};
    for (const f of [...Object.values(flatcarFiles), ...Object.values(labOsFiles)]) files[f] = await fileInfo(join(versionDir, f));
    stageSeconds.sign = (Date.now() - t) / 1000;

    const manifest: LabOsManifest = {
      kind: 'flatcar-lab-os',
      version: options.version,
      board: options.board,
      recipeHash: hash,
      rootfsHash: rfsHash,
      mirrorBasePrefix: options.mirrorBasePrefix,
      signingKeyFingerprint: key.fingerprint,
      builtAt: new Date().toISOString(),
      buildSeconds: Math.round((Date.now() - started) / 100) / 10,
      stageSeconds,
      diskRawBytes,
      files,
    };
    writeFileSync(join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const previous = existsSync(join(base, 'last-recipe')) ? readFileSync(join(base, 'last-recipe'), 'utf8').trim() : undefined;
  writeFileSync(join(base, 'last-recipe'), `${hash}\n`);
  pruneCache(base, [hash, previous], rfsHash, say);
  return describe(dir, key.publicKey, true);
}

/** Which lab OS directory the current recipe maps to (built or not), for `images path`. */
export async function labOsDirForRecipe(cacheDir?: string): Promise<string> {
  const base = labOsCacheDir(cacheDir);
  const key = await ensureSigningKey(join(base, 'signing-key'));
  return join(base, recipeHash(readLabOsOptions(), key.fingerprint));
}

export function describe(dir: string, publicKey: string, built: boolean): LabOs {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as LabOsManifest;
  const mirrorRoot = join(dir, 'mirror');
  const versionDir = join(mirrorRoot, manifest.board, manifest.version);
  return {
    dir,
    version: manifest.version,
    board: manifest.board,
    mirrorRoot,
    versionDir,
    pxeKernel: join(versionDir, flatcarFiles.pxeKernel),
    pxeInitrd: join(versionDir, flatcarFiles.pxeInitrd),
    image: join(versionDir, flatcarFiles.image),
    imageSig: join(versionDir, flatcarFiles.imageSig),
    publicKey,
    manifest,
    built,
  };
}

/** Flatcar's version.txt keys, which flatcar-install reads to resolve `current`. */
export function versionTxt(version: string, board: string, buildId: string): string {
  const [build, branch, patch] = version.split('.');
  return [
    `FLATCAR_BUILD=${build}`,
    `FLATCAR_BRANCH=${branch}`,
    `FLATCAR_PATCH=${patch}`,
    `FLATCAR_VERSION=${version}`,
    `FLATCAR_VERSION_ID=${version}`,
    `FLATCAR_BUILD_ID="${buildId}"`,
    `FLATCAR_BOARD=${board}`,
    '',
  ].join('\n');
}

/**
 * Each recipe build is ~350 MB: keep this build and the one before it (a run may still serve it),
 * and only the rootfs stage the current recipe uses.
 */
function pruneCache(base: string, keep: Array<string | undefined>, rootfsKeep: string, say: Progress): void {
  for (const name of readdirSync(base)) {
    const tmpOf = /\.tmp-(\d+)$/.exec(name)?.[1];
    const stale = (tmpOf !== undefined && !alive(Number(tmpOf))) || (/^[0-9a-f]{16}$/.test(name) && !keep.includes(name)) || (/^rootfs-[0-9a-f]{16}$/.test(name) && name !== `rootfs-${rootfsKeep}`);
    if (stale) {
      say(`lab-os: removing stale cache entry ${name}`);
      rmSync(join(base, name), { recursive: true, force: true });
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function whyRebuild(base: string, hash: string): string {
  const lastFile = join(base, 'last-recipe');
  if (!existsSync(lastFile)) return 'no lab OS built in this cache yet';
  const last = readFileSync(lastFile, 'utf8').trim();
  return last === hash ? 'its build is missing' : `the recipe changed since the last build (${last})`;
}

async function fileInfo(path: string): Promise<LabOsFile> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return { bytes: statSync(path).size, sha256: h.digest('hex') };
}
