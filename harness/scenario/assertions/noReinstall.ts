import { hexIp } from '../topology.ts';
import type { Assertion } from './types.ts';
import { perNode } from './types.ts';

/**
 * No node fetched its pxelinux.cfg twice: once installed, every boot (reboot, power cut) came
 * from the disk. A node that fell back to PXE would run the installer again and wipe itself.
 */
export const noReinstall: Assertion = {
  name: 'no-reinstall',
  description: 'no node fetched its PXE config (pxelinux.cfg/<HEXIP>) more than once',
  check(evidence) {
    return perNode(
      this.name,
      evidence.nodes.map((n) => {
        const cfg = `pxelinux.cfg/${hexIp(n.ip)}`;
        const fetches = evidence.dnsmasq.filter((l) => l.includes(`${cfg} to ${n.ip}`) && /\bsent\b/.test(l)).length;
        const images = evidence.http.filter((e) => e.clientIp === n.ip && e.status < 300 && e.path.endsWith('/flatcar_production_image.bin.bz2')).length;
        const boots = `${n.vmStarts} VM start(s)`;
        return { node: n.name, ok: fetches <= 1 && images <= 1, text: `${cfg} fetched ${fetches}×, disk image fetched ${images}×, ${boots}` };
      }),
    );
  },
};
