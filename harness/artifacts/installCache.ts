/**
 * Installed disks kept for `--reuse-install`: a node's disk as flatcar-install left it (after the
 * PXE stage, before its first disk boot), keyed by everything that stage depends on, so a later
 * run can start the node from a copy-on-write overlay of it instead of PXE-booting and
 * installing again. The node's first disk boot, Ignition, install.sh and the join still run.
 *
 *   <cache>/installs/<key>/disk.qcow2   the disk (qemu-img convert: sparse, no compression)
 *   <cache>/installs/<key>/meta.json    what made it, when, and when it was last used
 *
 * A disk is kept in an owned temp dir while the run goes on, and moved into place only once the
 * node's first boot from it reached `first-boot` (Ignition applied config.ign): a disk that does
 * not boot is never offered again. A killed run's temp dir is reaped by the next prune.
 */
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ownedTempDir, reapTempDirs } from '../lab/tempDirs.ts';
import { installsRoot } from '../paths.ts';

/** What a node's PXE stage depends on: what it booted, what it was told, and the disk it wrote. */
export interface InstallKeyParts {
  /** The release's identity: its disk image's sha256 (and PXE files' for a release from elsewhere). */
  release: string;
  node: string;
  mac: string;
  /** pxelinux's APPEND line for the node. */
  kernelArgs: readonly string[];
  /** The rendered PXE-stage config, with what changes every run (the boot stage's hash, the run's SSH key) taken out. */
  pxeConfig: string;
  diskSize: string;
}

export function installKey(parts: InstallKeyParts): string {
  const canonical = JSON.stringify([parts.release, parts.node, parts.mac, parts.kernelArgs, parts.pxeConfig, parts.diskSize]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 24);
}

export interface InstallMeta {
  key: string;
  node: string;
  scenario: string;
  release: string;
  savedAt: string;
}

export interface CachedInstall {
  key: string;
  dir: string;
  disk: string;
  meta: InstallMeta;
}

/** A disk kept during a run, not yet proved to boot. */
export interface PendingInstall {
  key: string;
  /** Moves it into the cache (replacing an older one with the same key). */
  promote(): CachedInstall;
  discard(): void;
}

/** How many installs stay cached; older ones go, least recently used first. */
const keepCount = 9;
/** An install used within this long may back a running run's overlay: never pruned. */
const inUseMs = 6 * 3600_000;

export class InstallCache {
  constructor(readonly root: string = installsRoot()) {}

  find(key: string): CachedInstall | undefined {
    const dir = join(this.root, key);
    const disk = join(dir, 'disk.qcow2');
    const metaFile = join(dir, 'meta.json');
    if (!existsSync(disk) || !existsSync(metaFile)) return undefined;
    try {
      const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as InstallMeta;
      if (meta.key !== key) return undefined;
      const now = new Date();
      utimesSync(metaFile, now, now);
      return { key, dir, disk, meta };
    } catch {
      return undefined;
    }
  }

  /** Copies `disk` (its QEMU must have exited) aside as the install for `key`. */
  async keep(disk: string, meta: Omit<InstallMeta, 'savedAt'>): Promise<PendingInstall> {
    mkdirSync(this.root, { recursive: true });
    const tmp = ownedTempDir(`install-${meta.key}`, this.root);
    try {
      await execa('qemu-img', ['convert', '-f', 'qcow2', '-O', 'qcow2', disk, join(tmp, 'disk.qcow2')]);
      writeFileSync(join(tmp, 'meta.json'), `${JSON.stringify({ ...meta, savedAt: new Date().toISOString() }, null, 2)}\n`);
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      throw err;
    }
    return {
      key: meta.key,
      promote: () => {
        const dir = join(this.root, meta.key);
        rmSync(dir, { recursive: true, force: true });
        rmSync(join(tmp, '.fkl-owner'), { force: true });
        renameSync(tmp, dir);
        this.prune();
        return this.find(meta.key)!;
      },
      discard: () => rmSync(tmp, { recursive: true, force: true }),
    };
  }

  /** Removes killed runs' temp dirs and all but the newest installs (none used in the last hours). */
  prune(): string[] {
    const removed = reapTempDirs(this.root);
    let entries: { dir: string; used: number }[];
    try {
      entries = readdirSync(this.root)
        .filter((n) => /^[0-9a-f]{24}$/.test(n))
        .map((n) => {
          const dir = join(this.root, n);
          const meta = join(dir, 'meta.json');
          return { dir, used: existsSync(meta) ? statSync(meta).mtimeMs : 0 };
        })
        .sort((a, b) => b.used - a.used);
    } catch {
      return removed;
    }
    for (const e of entries.slice(keepCount)) {
      if (Date.now() - e.used < inUseMs) continue;
      rmSync(e.dir, { recursive: true, force: true });
      removed.push(e.dir);
    }
    return removed;
  }
}

/** The PXE-stage config as the key sees it: the same whatever boot-stage config or SSH key this run has. */
export function pxeConfigForKey(pxeJson: string, bootSha512: string, sshPublicKey: string | undefined): string {
  let out = pxeJson.split(bootSha512).join('<boot-stage sha512>');
  const whole = sshPublicKey?.trim();
  // The key as the overlay wrote it (with its comment), else its type and body alone.
  for (const form of whole ? [whole, whole.split(/\s+/).slice(0, 2).join(' ')] : []) out = out.split(form).join('<run ssh key>');
  return out;
}
