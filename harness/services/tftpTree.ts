import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { hexIp } from '../scenario/topology.ts';
import { pxelinuxConfig, pxelinuxFiles, type PxeBootEntry } from './pxelinux.ts';

export interface TftpTree {
  /** One pxelinux entry per node address. */
  entries: { ip: string; entry: PxeBootEntry }[];
  /** Ignition files also kept under tftp/ignition/, as the seed's /var/lib/tftp does. */
  ignition?: { name: string; content: string }[];
}

/**
 * Lays out a TFTP root like the seed's /var/lib/tftp: pxelinux.0 and ldlinux.c32 from Debian's
 * pxelinux, pxelinux.cfg/<IP in upper-case hex> per node, ignition/. Returns the files written.
 */
export function writeTftpTree(root: string, tree: TftpTree): string[] {
  const written: string[] = [];
  mkdirSync(join(root, 'pxelinux.cfg'), { recursive: true });
  for (const src of [pxelinuxFiles.loader, pxelinuxFiles.ldlinux]) {
    const dst = join(root, basename(src));
    copyFileSync(src, dst);
    written.push(dst);
  }
  for (const { ip, entry } of tree.entries) {
    const dst = join(root, 'pxelinux.cfg', hexIp(ip));
    writeFileSync(dst, pxelinuxConfig(entry));
    written.push(dst);
  }
  if (tree.ignition?.length) {
    mkdirSync(join(root, 'ignition'), { recursive: true });
    for (const f of tree.ignition) {
      if (f.name !== basename(f.name)) throw new Error(`ignition file name must not hold a path: ${f.name}`);
      const dst = join(root, 'ignition', f.name);
      writeFileSync(dst, f.content);
      written.push(dst);
    }
  }
  return written;
}
