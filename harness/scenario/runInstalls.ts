import { join } from 'node:path';
import { flatcarFiles } from '../artifacts/labOs.ts';
import { InstallCache, installKey, pxeConfigForKey, type PendingInstall } from '../artifacts/installCache.ts';
import { sha256File } from '../artifacts/sha256.ts';
import type { RenderedRun } from '../ignition/renderRun.ts';
import { ignitionJson } from '../ignition/transpile.ts';
import type { RunResult } from '../report/result.ts';
import { nodeDiskGiB } from '../vm/disk.ts';
import type { InstallReuse } from './labMachine.ts';
import type { LabOsRelease } from './labOsRelease.ts';

/** What --reuse-install means for one run: per node, the cached install to start from (if any) and how its new one is kept. */
export interface RunInstalls {
  forNode(node: string): InstallReuse;
  /** For the report's artifacts: per node, reused from where, or kept for the next run. */
  artifacts(): { name: string; source: string }[];
  /**
   * After the run: a kept disk goes into the cache once its node's first disk boot reached
   * `first-boot` (the disk boots and Ignition applied config.ign on it); the rest are dropped.
   * Says what it did, a line per node.
   */
  settle(result: RunResult): string[];
  /** Drops every kept disk (a stopped run). */
  discardAll(): void;
}

/** The release's identity: what its PXE boot and its install are made of. */
async function releaseDigest(release: LabOsRelease): Promise<string> {
  const files = [flatcarFiles.pxeKernel, flatcarFiles.pxeInitrd, flatcarFiles.image];
  const sums = await Promise.all(files.map((f) => sha256File(join(release.dir, f))));
  return sums.join(':');
}

/**
 * Every run keeps its nodes' installs (a few seconds and ~250 MB a node); only a run with
 * `reuse` (--reuse-install) starts from them.
 */
export async function runInstalls(opts: { scenario: string; release: LabOsRelease; rendered: RenderedRun; sshPublicKey: string; reuse: boolean; cache?: InstallCache }): Promise<RunInstalls> {
  const cache = opts.cache ?? new InstallCache();
  cache.prune();
  const release = await releaseDigest(opts.release);
  const pending = new Map<string, { install: PendingInstall; at: number }>();
  const perNode = new Map(
    opts.rendered.nodes.map((n) => {
      const key = installKey({
        release,
        node: n.node.name,
        mac: n.node.mac,
        kernelArgs: n.kernelArgs,
        pxeConfig: pxeConfigForKey(ignitionJson(n.stages.pxe.config), n.stages.boot.sha512, opts.sshPublicKey),
        diskSize: `${nodeDiskGiB}G`,
      });
      const cached = opts.reuse ? cache.find(key) : undefined;
      const reuse: InstallReuse = {
        ...(cached ? { from: { disk: cached.disk, config: ignitionJson(n.stages.boot.config), description: `install ${key} from ${cached.dir} (kept ${cached.meta.savedAt} by a ${cached.meta.scenario} run)` } } : {}),
        keep: async (disk) => {
          const install = await cache.keep(disk, { key, node: n.node.name, scenario: opts.scenario, release });
          pending.set(n.node.name, { install, at: Date.now() });
          return `kept as install ${key}, cached once the node's first disk boot applies its config`;
        },
      };
      return [n.node.name, { key, cached, reuse }] as const;
    }),
  );
  return {
    forNode: (node) => perNode.get(node)?.reuse ?? {},
    artifacts: () =>
      [...perNode].filter(() => opts.reuse).map(([node, p]) => ({
        name: `${node}'s installed disk`,
        source: p.cached ? `reused (--reuse-install): ${p.reuse.from!.description}` : `not cached yet (install ${p.key}): this run's PXE stage installs it and keeps it for the next --reuse-install run`,
      })),
    settle(result) {
      const started = Date.parse(result.startedAt);
      const kept: string[] = [];
      const dropped: string[] = [];
      for (const [node, { install, at }] of pending) {
        const booted = result.nodes.find((n) => n.name === node)?.marks.some((m) => m.phase === 'first-boot' && started + m.offsetMs >= at);
        if (booted) {
          install.promote();
          kept.push(node);
        } else {
          install.discard();
          dropped.push(node);
        }
      }
      pending.clear();
      return [
        ...(kept.length ? [`kept ${kept.join(', ')}'s install${kept.length > 1 ? 's' : ''} in ${cache.root}: a run with --reuse-install starts from ${kept.length > 1 ? 'them' : 'it'}`] : []),
        ...(dropped.length ? [`not kept: ${dropped.join(', ')} (the first disk boot never reached first-boot)`] : []),
      ];
    },
    discardAll() {
      for (const { install } of pending.values()) install.discard();
      pending.clear();
    },
  };
}
