/**
 * Where Debian's pxelinux package keeps the files a PXE client fetches first by TFTP.
 * The loader is pxelinux.0, as design.md's flow names it. Its config names the kernel and the
 * initrd by http:// URL: pxelinux.0 (Syslinux ≥ 3.70) hands such URLs to a gPXE/iPXE firmware's
 * PXE file API (etherboot.org "HTTP booting"; syslinux NEWS, "Changes in 3.70"), and QEMU's NIC
 * ROMs are iPXE, so the firmware's own TCP stack does the download. lpxelinux.0, which brings its
 * own (lwIP) stack, stalled here in 2 of 3 single-node downloads under TCG: the guest advertised a
 * zero window and never answered again (scripts/pxe-soak.ts). pxelinux.0: 0 of 15, and the kernel
 * ran at 20 s, not 44 s. Edge hardware whose PXE ROM is not iPXE needs lpxelinux.0 (or TFTP URLs).
 */
export const pxelinuxFiles = {
  loader: '/usr/lib/PXELINUX/pxelinux.0',
  ldlinux: '/usr/lib/syslinux/modules/bios/ldlinux.c32',
} as const;

/** The loader's name in the TFTP root and in DHCP's boot file option. */
export const pxelinuxLoaderName = 'pxelinux.0';
export interface PxeBootEntry {
  kernelUrl: string;
  initrdUrl: string;
  /** Everything after `initrd=…` on the kernel command line, e.g. `flatcar.first_boot=1 ignition.config.url=…`. */
  kernelArgs: string[];
}

/** The text of `pxelinux.cfg/<HEXIP>`: one entry, booted at once. */
export function pxelinuxConfig(entry: PxeBootEntry): string {
  const append = [`initrd=${entry.initrdUrl}`, ...entry.kernelArgs].join(' ');
  return ['default flatcar', 'prompt 0', 'timeout 0', '', 'label flatcar', `  kernel ${entry.kernelUrl}`, `  append ${append}`, ''].join('\n');
}
