import { execa } from 'execa';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export interface InitramfsOptions {
  /** After the marker: reboot (QEMU runs with -no-reboot, so that ends it) or stay up. */
  then?: 'reboot' | 'stay';
  /** Bring eth0 up with a static address first (modules: the virtio-net stack, in insmod order). */
  network?: { modules: string[]; address: string };
}

/**
 * A gzip'd newc initramfs, built from busybox-static, whose /init prints `marker` and the kernel
 * command line on the serial console; see InitramfsOptions for what it does then.
 */
export async function busyboxInitramfs(outFile: string, marker: string, opts: InitramfsOptions = {}): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'busybox-initramfs-'));
  try {
    for (const d of ['bin', 'dev', 'proc', 'sys', 'modules']) mkdirSync(join(root, d));
    copyFileSync('/bin/busybox', join(root, 'bin', 'busybox'));
    chmodSync(join(root, 'bin', 'busybox'), 0o755);
    const bb = '/bin/busybox';
    const net = opts.network
      ? [
          ...opts.network.modules.map((m) => {
            copyFileSync(m, join(root, 'modules', basename(m)));
            return `${bb} insmod /modules/${basename(m)}`;
          }),
          `${bb} ip link set lo up`,
          `${bb} ip link set eth0 up`,
          `${bb} ip addr add ${opts.network.address} dev eth0`,
        ]
      : [];
    writeFileSync(
      join(root, 'init'),
      [
        `#!${bb} sh`,
        `${bb} mount -t proc proc /proc`,
        `${bb} mount -t sysfs sys /sys`,
        `${bb} mount -t devtmpfs dev /dev`,
        ...net,
        `echo "${marker} cmdline: $(${bb} cat /proc/cmdline)" > /dev/ttyS0`,
        `${bb} sync`,
        (opts.then ?? 'reboot') === 'reboot' ? `${bb} reboot -f` : `while :; do ${bb} sleep 3600; done`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    await execa('sh', ['-c', 'cd "$1" && find . | cpio -o -H newc --quiet | gzip -1 > "$2"', 'sh', root, outFile]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
