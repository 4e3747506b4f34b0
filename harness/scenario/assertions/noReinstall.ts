import { hexIp } from '../topology.ts';
import type { Assertion } from './types.ts';
import { perNode } from './types.ts';

const image = '/flatcar_production_image.bin.bz2';
/** dnsmasq lines carry the time they were read (a poll later); a real PXE boot comes long after. */
const readLagMs = 5000;

/**
 * No node went back to PXE once installed: after its disk image was fetched, it never fetched
 * its pxelinux.cfg again, and it fetched the image once. A node that fell back to PXE would run
 * the installer again and wipe itself. (A PXE boot that failed before installing and was retried
 * is not a reinstall; its extra fetch is shown in the detail.)
 */
export const noReinstall: Assertion = {
  name: 'no-reinstall',
  description: 'no node fetched its PXE config (pxelinux.cfg/<HEXIP>) again after installing, nor the disk image twice',
  check(evidence) {
    return perNode(
      this.name,
      evidence.nodes.map((n) => {
        const cfg = `pxelinux.cfg/${hexIp(n.ip)}`;
        const obs = evidence.observations.filter((o) => o.node === n.name);
        const configFetches = obs.filter((o) => o.kind === 'tftp-pxe-config').map((o) => o.at);
        const logged = evidence.dnsmasq.filter((l) => l.includes(`${cfg} to ${n.ip}`) && /\bsent\b/.test(l)).length;
        const imageFetches = evidence.http.filter((e) => e.clientIp === n.ip && e.status < 300 && e.path.endsWith(image)).map((e) => e.time.getTime());
        const installedAt = imageFetches.length ? Math.min(...imageFetches) : undefined;
        const after = installedAt === undefined ? 0 : configFetches.filter((t) => t > installedAt + readLagMs).length;
        const ok = after === 0 && imageFetches.length <= 1;
        const fetched = Math.max(logged, configFetches.length);
        const retried = fetched > 1 && after === 0 ? ' (a failed PXE boot was retried before the install)' : '';
        return { node: n.name, ok, text: `${cfg} fetched ${fetched}×${after ? `, ${after}× after installing` : ''}${retried}, disk image fetched ${imageFetches.length}×, ${n.vmStarts} VM start(s)` };
      }),
    );
  },
};
