/**
 * Where install.sh comes from. The harness treats every install.sh as input; the fixture is only the
 * offline default and says so in its description.
 *   fixture — images/install-sh-fixture/install.sh (a stand-in, not k3s's script)
 *   file    — a local path
 *   url     — downloaded when online, then kept in the cache by URL
 *   ref     — k3s-io/k3s's install.sh at a release tag or commit, cached by that ref
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { cacheRoot, projectRoot } from '../paths.ts';
import { downloadTo } from './download.ts';
import type { ResolvedArtifact } from './resolved.ts';
import { sha256File } from './sha256.ts';

/** The fixture's modes: `pr13712` reproduces k3s PR #13712's Flatcar regression. */
export const fixtureModes = ['pr13712'] as const;
export type FixtureMode = (typeof fixtureModes)[number];

export type InstallShSource =
  | { kind: 'fixture'; mode?: FixtureMode }
  | { kind: 'file'; path: string }
  | { kind: 'url'; url: string }
  | { kind: 'ref'; ref: string };

export interface InstallShResolveOptions {
  online?: boolean;
  cacheDir?: string;
  onlineFlag?: string;
  /** Raw-file base for refs; tests point it at a local server. */
  rawBase?: string;
}

export const installShFixturePath = join(projectRoot, 'images', 'install-sh-fixture', 'install.sh');
export const DEFAULT_RAW_BASE = 'https://raw.githubusercontent.com/k3s-io/k3s';
const REF_RE = /^(v\d+\.\d+\.\d+(-rc\d+)?\+k3s\d+|[0-9a-f]{7,40}|master|main)$/;

/** True when the script is this project's fixture (by the marker its header carries). */
export function isInstallShFixture(text: string): boolean {
  return text.split('\n', 4).some((l) => l.includes('flatcar-k3s-lab install.sh FIXTURE'));
}

function installShCacheDir(opts: InstallShResolveOptions): string {
  return join(opts.cacheDir ?? cacheRoot(), 'install-sh');
}

async function cachedOrDownloaded(url: string, path: string, opts: InstallShResolveOptions, what: string): Promise<'cache' | 'download'> {
  if (existsSync(path)) return 'cache';
  if (!opts.online) {
    throw new UsageError(`${what} is not in the cache (${path}) and downloads are off: pass ${opts.onlineFlag ?? '--online'} to fetch it`);
  }
  await downloadTo(url, path, 120_000);
  const text = readFileSync(path, 'utf8');
  if (!text.startsWith('#!')) throw new UsageError(`${url} is not a shell script (first line: ${text.split('\n')[0]?.slice(0, 60)})`);
  return 'download';
}

export async function resolveInstallSh(source: InstallShSource, opts: InstallShResolveOptions = {}): Promise<ResolvedArtifact> {
  switch (source.kind) {
    case 'fixture': {
      const path = source.mode ? fixtureInMode(source.mode, opts) : installShFixturePath;
      return {
        kind: 'fixture',
        path,
        sha256: await sha256File(path),
        version: source.mode ? `fixture:${source.mode}` : 'fixture',
        description: `install.sh FIXTURE${source.mode ? ` in its ${source.mode} mode (k3s PR #13712's Flatcar regression)` : ''} (flatcar-k3s-lab stand-in written from install.sh's documented behaviour; not k3s's script)`,
      };
    }
    case 'file': {
      const path = resolve(source.path);
      if (!existsSync(path)) throw new UsageError(`install.sh not found: ${path}`);
      const fixture = isInstallShFixture(readFileSync(path, 'utf8'));
      return {
        kind: fixture ? 'fixture' : 'file',
        path,
        sha256: await sha256File(path),
        version: fixture ? 'fixture' : 'local',
        description: `${fixture ? 'install.sh FIXTURE' : 'install.sh'} from local file ${path}`,
      };
    }
    case 'url': {
      let url: URL;
      try {
        url = new URL(source.url);
      } catch {
        throw new UsageError(`not a URL: ${source.url}`);
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`install.sh URL must be http(s): ${source.url}`);
      const key = createHash('sha256').update(url.href).digest('hex').slice(0, 16);
      const path = join(installShCacheDir(opts), 'url', key, 'install.sh');
      const how = await cachedOrDownloaded(url.href, path, opts, `install.sh from ${url.href}`);
      return { kind: how, path, sha256: await sha256File(path), version: url.href, description: `install.sh from ${url.href}${how === 'cache' ? ' (cached)' : ''}` };
    }
    case 'ref': {
      if (!REF_RE.test(source.ref)) throw new UsageError(`not a k3s release tag or commit: "${source.ref}"`);
      const path = join(installShCacheDir(opts), 'ref', source.ref, 'install.sh');
      const url = `${opts.rawBase ?? DEFAULT_RAW_BASE}/${encodeURIComponent(source.ref)}/install.sh`;
      const how = await cachedOrDownloaded(url, path, opts, `install.sh of k3s-io/k3s@${source.ref}`);
      return {
        kind: how,
        path,
        sha256: await sha256File(path),
        version: source.ref,
        description: `install.sh of k3s-io/k3s@${source.ref}${how === 'cache' ? ' (cached)' : ' (downloaded)'}`,
      };
    }
  }
}

/**
 * The fixture with its mode built in: the node runs install.sh from the mirror with only the
 * unit's environment, so a mode has to travel inside the script. Kept in the cache by the
 * fixture's own hash; written whole or not at all.
 */
function fixtureInMode(mode: FixtureMode, opts: InstallShResolveOptions): string {
  const text = readFileSync(installShFixturePath, 'utf8');
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const path = join(installShCacheDir(opts), `fixture-${mode}`, hash, 'install.sh');
  if (existsSync(path)) return path;
  const marker = 'set -o noglob\n';
  if (!text.includes(marker)) throw new Error(`${installShFixturePath}: no '${marker.trim()}' line to put the ${mode} mode after`);
  const moded = text.replace(marker, `${marker}# Built in by the harness (--install-sh fixture:${mode}).\nLAB_FIXTURE_SELINUX=${mode}\n`);
  mkdirSync(join(path, '..'), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, moded, { mode: 0o755 });
  renameSync(tmp, path);
  return path;
}

