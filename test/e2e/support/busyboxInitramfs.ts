import { execa } from 'execa';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A gzip'd newc initramfs whose /init prints `marker` on the serial console and powers off
 * (QEMU runs with -no-reboot, so the reboot syscall ends it). Built from busybox-static.
 */
export async function busyboxInitramfs(outFile: string, marker: string): Promise<void> {
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
        '/bin/busybox reboot -f',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    await execa('sh', ['-c', 'cd "$1" && find . | cpio -o -H newc --quiet | gzip -1 > "$2"', 'sh', root, outFile]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
