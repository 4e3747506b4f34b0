/**
 * Where the k3s binary comes from:
 *   double  — the K3s double built from images/k3s-double (offline; the default)
 *   file    — a k3s binary the user has (its version from --version unless given)
 *   release — a GitHub release by version, from the cache, or downloaded and checked against
 *             sha256sum-amd64.txt when online (never without `online: true`).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { LabError, UsageError } from '../errors.ts';
import { cacheRoot } from '../paths.ts';
import { buildK3sDouble } from '../../images/k3s-double/build.ts';
import { DOUBLE_VERSION, K3S_VERSION } from '../../images/k3s-double/src/version.ts';
import { downloadText, downloadTo } from './download.ts';
import type { ResolvedArtifact } from './resolved.ts';
import { checksumFor, sha256File } from './sha256.ts';

export type K3sSource =
  | { kind: 'double' }
  | { kind: 'file'; path: string; version?: string }
  | { kind: 'release'; version: string };

export interface K3sResolveOptions {
  online?: boolean;
  cacheDir?: string;
  /** GitHub's releases base; tests point it at a local server. */
  githubUrl?: string;
  /** The flag a user passes to allow downloads, named in the offline error. */
  onlineFlag?: string;
}

export const DEFAULT_GITHUB_RELEASES = 'https://github.com/k3s-io/k3s/releases';
const VERSION_RE = /^v\d+\.\d+\.\d+(-rc\d+)?\+k3s\d+$/;

export function k3sCacheDir(opts: K3sResolveOptions = {}): string {
  return join(opts.cacheDir ?? cacheRoot(), 'k3s');
}

export async function resolveK3s(source: K3sSource, opts: K3sResolveOptions = {}): Promise<ResolvedArtifact> {
  switch (source.kind) {
    case 'double':
      return resolveDouble(opts);
    case 'file':
      return resolveFile(source.path, source.version);
    case 'release':
      return resolveRelease(source.version, opts);
  }
}

async function resolveDouble(opts: K3sResolveOptions): Promise<ResolvedArtifact> {
  // Rebuilt every time (esbuild takes well under a second) so the served double is the checkout's.
  const dir = join(k3sCacheDir(opts), 'double');
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `k3s.build-${process.pid}`);
  await buildK3sDouble(tmp);
  const path = join(dir, 'k3s');
  renameSync(tmp, path);
  return {
    kind: 'double',
    path,
    sha256: await sha256File(path),
    version: K3S_VERSION,
    description: `K3s double ${DOUBLE_VERSION} (flatcar-k3s-lab stand-in for k3s ${K3S_VERSION}; not k3s)`,
  };
}

/** The refusals that need nothing fetched or built: made before the lab OS is built or the cache touched. */
export function checkK3sSource(source: K3sSource): void {
  if (source.kind === 'release' && !VERSION_RE.test(source.version)) throw new UsageError(`not a k3s release version: "${source.version}" (want e.g. v1.32.4+k3s1)`);
  if (source.kind === 'file' && !existsSync(resolve(source.path))) throw new UsageError(`k3s binary not found: ${resolve(source.path)}`);
}

async function resolveFile(file: string, version: string | undefined): Promise<ResolvedArtifact> {
  const path = resolve(file);
  if (!existsSync(path)) throw new UsageError(`k3s binary not found: ${path}`);
  let v = version;
  if (!v) {
    const r = await execa(path, ['--version'], { reject: false, timeout: 15_000 });
    v = /k3s version (\S+)/.exec(r.stdout)?.[1];
    if (!v) throw new UsageError(`${path} --version did not say "k3s version vX.Y.Z+k3sN": give the version explicitly`);
  }
  if (!VERSION_RE.test(v)) throw new UsageError(`not a k3s release version: "${v}" (want e.g. v1.32.4+k3s1)`);
  const double = /flatcar-k3s-lab double/.test((await execa(path, ['--version'], { reject: false, timeout: 15_000 })).stdout);
  return {
    kind: 'file',
    path,
    sha256: await sha256File(path),
    version: v,
    description: `${double ? 'K3s double' : 'k3s'} ${v} from local file ${path}`,
  };
}

async function resolveRelease(version: string, opts: K3sResolveOptions): Promise<ResolvedArtifact> {
  if (!VERSION_RE.test(version)) throw new UsageError(`not a k3s release version: "${version}" (want e.g. v1.32.4+k3s1)`);
  const dir = join(k3sCacheDir(opts), 'releases', version);
  const bin = join(dir, 'k3s');
  const sums = join(dir, 'sha256sum-amd64.txt');
  if (existsSync(bin) && existsSync(sums)) {
    const want = checksumFor(readFileSync(sums, 'utf8'), 'k3s');
    const got = await sha256File(bin);
    if (want === got) {
      return { kind: 'cache', path: bin, sha256: got, version, description: `k3s ${version} from GitHub releases (cached in ${dir})` };
    }
    // A cut-short download or a disk error: never served; fetched again when online.
    const damaged = `k3s ${version} in the cache (${dir}) is damaged: its sha256 ${got.slice(0, 12)}… is not sha256sum-amd64.txt's ${(want ?? 'missing').slice(0, 12)}…`;
    if (!opts.online) throw new UsageError(`${damaged}; pass ${opts.onlineFlag ?? '--online'} to fetch it again, or remove that directory`);
  }
  if (!opts.online) {
    throw new UsageError(
      `k3s ${version} is not in the cache (${dir}) and downloads are off: pass ${opts.onlineFlag ?? '--online'} to fetch it from GitHub releases`,
    );
  }
  const base = `${opts.githubUrl ?? DEFAULT_GITHUB_RELEASES}/download/${version}`;
  const sumsText = await downloadText(`${base}/sha256sum-amd64.txt`);
  const want = checksumFor(sumsText, 'k3s');
  if (!want) throw new LabError(`${base}/sha256sum-amd64.txt has no line for "k3s"`);
  mkdirSync(dir, { recursive: true });
  const part = join(dir, `k3s.download-${process.pid}`);
  await downloadTo(`${base}/k3s`, part);
  const got = await sha256File(part);
  if (got !== want) {
    rmSync(part, { force: true });
    throw new LabError(`k3s ${version} from ${base}/k3s: sha256 ${got} does not match sha256sum-amd64.txt (${want})`);
  }
  chmodSync(part, 0o755);
  writeFileSync(sums, sumsText);
  renameSync(part, bin);
  return { kind: 'download', path: bin, sha256: got, version, description: `k3s ${version} downloaded from ${base} (sha256 checked)` };
}
