import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from '../../../harness/paths.ts';

/**
 * A bootable x86-64 kernel for tests. The host has none, and installing linux-image-amd64 on it
 * would drag initramfs-tools and hooks into the host; instead the .deb is downloaded with
 * `apt-get download` and only /boot/vmlinuz-* is taken out of it with dpkg-deb, into the cache.
 */
export async function debianKernel(): Promise<string> {
  const dir = join(cacheRoot(), 'test-kernel');
  const have = existsSync(dir) ? readdirSync(dir).find((f) => f.startsWith('vmlinuz-')) : undefined;
  if (have) return join(dir, have);
  const deps = await execa('apt-cache', ['depends', 'linux-image-amd64']);
  const pkg = /Depends: (linux-image-[0-9][^\s]*-amd64)\b/.exec(deps.stdout)?.[1];
  if (!pkg) throw new Error(`cannot tell which kernel package linux-image-amd64 depends on:\n${deps.stdout}`);
  mkdirSync(dir, { recursive: true });
  const work = mkdtempSync(join(dir, '.work-'));
  try {
    await execa('apt-get', ['download', '-q', pkg], { cwd: work });
    const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${pkg} left no .deb`);
    await execa('sh', ['-c', 'dpkg-deb --fsys-tarfile "$1" | tar -x -C "$2" --wildcards "./boot/vmlinuz-*"', 'sh', join(work, deb), work]);
    const vmlinuz = readdirSync(join(work, 'boot')).find((f) => f.startsWith('vmlinuz-'));
    if (!vmlinuz) throw new Error(`${deb} holds no /boot/vmlinuz-*`);
    renameSync(join(work, 'boot', vmlinuz), join(dir, vmlinuz));
    return join(dir, vmlinuz);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
