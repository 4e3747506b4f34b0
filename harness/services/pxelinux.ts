/** Where Debian's pxelinux package keeps the files a PXE client fetches first by TFTP. */
export const pxelinuxFiles = {
  /** lpxelinux.0 can fetch `kernel`/`initrd` by http:// URL, which is much faster than TFTP. */
  loader: '/usr/lib/PXELINUX/lpxelinux.0',
  ldlinux: '/usr/lib/syslinux/modules/bios/ldlinux.c32',
} as const;

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
