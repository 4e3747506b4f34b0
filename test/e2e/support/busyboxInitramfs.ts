import { execa } from 'execa';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A gzip'd newc initramfs whose /init prints `marker` on the serial console, then either reboots
 * (QEMU runs with -no-reboot, so that ends it) or stays up, for tests that interrupt a live run.
 * Built from busybox-static.
 */
export async function busyboxInitramfs(outFile: string, marker: string, then: 'reboot' | 'stay' = 'reboot'): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'busybox-initramfs-'));
  try {
    for (const d of ['bin', 'dev', 'proc', 'sys']) mkdirSync(join(root, d));
    copyFileSync('/bin/busybox', join(root, 'bin', 'busybox'));
    chmodSync(join(root, 'bin', 'busybox'), 0o755);
    writeFileSync(
      join(root, 'init'),
      [
        '#!/bin/busybox sh',
        '/bin/busybox mount -t proc proc /proc',
        '/bin/busybox mount -t devtmpfs dev /dev',
        `echo "${marker} cmdline: $(/bin/busybox cat /proc/cmdline)" > /dev/ttyS0`,
        '/bin/busybox sync',
        then === 'reboot' ? '/bin/busybox reboot -f' : 'while :; do /bin/busybox sleep 3600; done',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    await execa('sh', ['-c', 'cd "$1" && find . | cpio -o -H newc --quiet | gzip -1 > "$2"', 'sh', root, outFile]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
