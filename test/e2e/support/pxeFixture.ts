import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MirrorMount } from '../../../harness/services/mirror.ts';
import { writeTftpTree } from '../../../harness/services/tftpTree.ts';
import type { Topology } from '../../../harness/scenario/topology.ts';
import { busyboxInitramfs, type InitramfsOptions } from './busyboxInitramfs.ts';
import { debianKernel } from './debianKernel.ts';

export const pxeVersion = '0.0.0-pxe-test';
export const kernelPath = `/flatcar/amd64-usr/${pxeVersion}/flatcar_production_pxe.vmlinuz`;
export const initrdPath = `/flatcar/amd64-usr/${pxeVersion}/flatcar_production_pxe_image.cpio.gz`;

export function topologyOf(nodes: number): Topology {
  return {
    network: { prefix: 24, serverIp: '10.0.0.5', mirrorPort: 8080 },
    nodes: Array.from({ length: nodes }, (_, i) => ({
      name: `node-${i + 1}`,
      mac: `52:54:00:00:00:${(0x46 + i).toString(16)}`,
      ip: `10.0.0.${70 + i}`,
      role: i === 0 ? ('init' as const) : ('server' as const),
    })),
  };
}

export interface PxeFixture {
  dir: string;
  tftpRoot: string;
  mounts: MirrorMount[];
  marker: string;
  kernelBytes: number;
  initrdBytes: number;
}

/**
 * A work dir with a TFTP tree (pxelinux.cfg/<HEXIP> per node pointing at the mirror) and a
 * "release" directory holding a Debian kernel and a busybox initramfs under Flatcar's PXE names.
 */
export async function pxeFixture(
  topology: Topology,
  marker: string,
  then: 'reboot' | 'stay' = 'reboot',
  /** Each node's initramfs brings eth0 up at its address (one shared initramfs: the address comes from the node's own entry). */
  withNetwork = false,
): Promise<PxeFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'lab-pxe-'));
  const release = join(dir, 'release');
  mkdirSync(release);
  const kernel = await debianKernel();
  copyFileSync(kernel.vmlinuz, join(release, 'flatcar_production_pxe.vmlinuz'));
  const opts: InitramfsOptions = { then };
  if (withNetwork) {
    if (topology.nodes.length !== 1) throw new Error('a networked test initramfs serves exactly one node');
    opts.network = { modules: kernel.netModules, address: `${topology.nodes[0]!.ip}/${topology.network.prefix}` };
  }
  await busyboxInitramfs(join(release, 'flatcar_production_pxe_image.cpio.gz'), marker, opts);
  const base = `http://${topology.network.serverIp}:${topology.network.mirrorPort}`;
  const tftpRoot = join(dir, 'tftp');
  writeTftpTree(tftpRoot, {
    entries: topology.nodes.map((n) => ({
      ip: n.ip,
      entry: {
        kernelUrl: base + kernelPath,
        initrdUrl: base + initrdPath,
        kernelArgs: [
          'flatcar.first_boot=1',
          `ignition.config.url=${base}/ignition/${n.name}-ignite-pxe.ign`,
          'console=ttyS0,115200n8',
          'flatcar.autologin',
          `lab.node=${n.name}`,
        ],
      },
    })),
  });
  return {
    dir,
    tftpRoot,
    mounts: [{ urlPath: `/flatcar/amd64-usr/${pxeVersion}/`, dir: release }],
    marker,
    kernelBytes: readFileSync(join(release, 'flatcar_production_pxe.vmlinuz')).length,
    initrdBytes: readFileSync(join(release, 'flatcar_production_pxe_image.cpio.gz')).length,
  };
}

export function serialText(file: string): string {
  return existsSync(file) ? readFileSync(file, 'latin1') : '';
}
