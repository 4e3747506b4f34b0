import { hexIp } from '../topology.ts';
import type { Assertion } from './types.ts';
import { perNode } from './types.ts';

const image = '/flatcar_production_image.bin.bz2';
/** dnsmasq lines carry the time they were read (a poll later); a real PXE boot comes long after. */
const readLagMs = 5000;

interface DiskLife {
  from: number;
  to: number;
}

/** A node's disks over the run: one, or one more per `disk-replaced` observation. */
function diskLives(replacedAt: readonly number[]): DiskLife[] {
  const cuts = [...replacedAt].sort((a, b) => a - b);
  const starts = [-Infinity, ...cuts];
  return starts.map((from, i) => ({ from, to: cuts[i] ?? Infinity }));
}

/**
 * No node went back to PXE once installed: after its disk image was fetched, it never fetched
 * its pxelinux.cfg again, and it fetched the image once. A node that fell back to PXE would run
 * the installer again and wipe itself. (A PXE boot that failed before installing and was retried
 * is not a reinstall; its extra fetch is shown in the detail.) A disk the scenario replaced is a
 * new disk: its install is judged on its own, as the first one is. A disk made from a cached
 * install (--reuse-install) was installed before the run: it must not fetch either at all.
 */
export const noReinstall: Assertion = {
  name: 'no-reinstall',
  description: 'no node fetched its PXE config (pxelinux.cfg/<HEXIP>) again after installing, nor the disk image twice (each disk on its own when one was replaced)',
  check(evidence) {
    return perNode(
      this.name,
      evidence.nodes.map((n) => {
        const cfg = `pxelinux.cfg/${hexIp(n.ip)}`;
        const obs = evidence.observations.filter((o) => o.node === n.name);
        const lives = diskLives(obs.filter((o) => o.kind === 'disk-replaced').map((o) => o.at));
        const configFetches = obs.filter((o) => o.kind === 'tftp-pxe-config').map((o) => o.at);
        const imageFetches = evidence.http.filter((e) => e.clientIp === n.ip && e.status < 300 && e.path.endsWith(image)).map((e) => e.time.getTime());
        const findings = lives.map((life) => {
          const within = (t: number) => t >= life.from && t < life.to;
          const images = imageFetches.filter(within);
          const configs = configFetches.filter(within);
          // --reuse-install: the disk came installed; any PXE config or image fetched in its life is a fall-back to PXE.
          const reusedAt = obs.find((o) => o.kind === 'install-reused' && within(o.at))?.at;
          const installedAt = reusedAt ?? (images.length ? Math.min(...images) : undefined);
          const after = installedAt === undefined ? 0 : configs.filter((t) => t > installedAt + (reusedAt === undefined ? readLagMs : 0)).length;
          const reused = reusedAt !== undefined;
          return { ok: after === 0 && images.length <= (reused ? 0 : 1), configs: configs.length, after, images: images.length, reused };
        });
        const reusedNote = (f: { reused: boolean }) => (f.reused ? 'PXE stage reused (--reuse-install), ' : '');
        const ok = findings.every((f) => f.ok);
        if (lives.length === 1) {
          const f = findings[0]!;
          const logged = evidence.dnsmasq.filter((l) => l.includes(`${cfg} to ${n.ip}`) && /\bsent\b/.test(l)).length;
          const fetched = Math.max(logged, f.configs);
          const retried = fetched > 1 && f.after === 0 ? ' (a failed PXE boot was retried before the install)' : '';
          return { node: n.name, ok, text: `${reusedNote(f)}${cfg} fetched ${fetched}×${f.after ? `, ${f.after}× after installing` : ''}${retried}, disk image fetched ${f.images}×, ${n.vmStarts} VM start(s)` };
        }
        const perDisk = findings.map((f, i) => `disk ${i + 1}: ${reusedNote(f)}${cfg} fetched ${f.configs}×${f.after ? `, ${f.after}× after installing` : ''}, disk image fetched ${f.images}×`);
        return { node: n.name, ok, text: `${perDisk.join('; ')} (the disk was replaced ${lives.length - 1}×), ${n.vmStarts} VM start(s)` };
      }),
    );
  },
};
