import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { cacheRoot } from '../../../harness/paths.ts';

export interface TestKernel {
  vmlinuz: string;
  /** virtio-net and what it depends on, in the order to insmod them (Debian builds virtio_net as a module). */
  netModules: string[];
}

// Debian builds the virtio core as modules too; this is their dependency order.
const netModulePaths = [
  'kernel/drivers/virtio/virtio_ring.ko',
  'kernel/drivers/virtio/virtio.ko',
  'kernel/drivers/virtio/virtio_pci_legacy_dev.ko',
  'kernel/drivers/virtio/virtio_pci_modern_dev.ko',
  'kernel/drivers/virtio/virtio_pci.ko',
  'kernel/net/core/failover.ko',
  'kernel/drivers/net/net_failover.ko',
  'kernel/drivers/net/virtio_net.ko',
];

function cached(dir: string): TestKernel | undefined {
  if (!existsSync(dir)) return undefined;
  const vmlinuz = readdirSync(dir).find((f) => f.startsWith('vmlinuz-'));
  const netModules = netModulePaths.map((p) => join(dir, 'modules', basename(p)));
  if (!vmlinuz || !netModules.every((m) => existsSync(m))) return undefined;
  return { vmlinuz: join(dir, vmlinuz), netModules };
}

/**
 * A bootable x86-64 kernel for tests. The host has none, and installing linux-image-amd64 on it
 * would drag initramfs-tools and its hooks into the host; instead the .deb is fetched with
 * `apt-get download` and only /boot/vmlinuz-* and the virtio-net modules are taken out of it
 * with dpkg-deb, into the cache (about 4 s once; the .deb is not kept).
 */
export async function debianKernel(): Promise<TestKernel> {
  const dir = join(cacheRoot(), 'test-kernel');
  const have = cached(dir);
  if (have) return have;
  const deps = await execa('apt-cache', ['depends', 'linux-image-amd64']);
  const pkg = /Depends: (linux-image-[0-9][^\s]*-amd64)\b/.exec(deps.stdout)?.[1];
  if (!pkg) throw new Error(`cannot tell which kernel package linux-image-amd64 depends on:\n${deps.stdout}`);
  const release = pkg.replace(/^linux-image-/, '');
  mkdirSync(join(dir, 'modules'), { recursive: true });
  const work = mkdtempSync(join(dir, '.work-'));
  try {
    await execa('apt-get', ['download', '-q', pkg], { cwd: work });
    const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${pkg} left no .deb`);
    const members = ['./boot/vmlinuz-*', ...netModulePaths.map((p) => `./lib/modules/${release}/${p}`)];
    await execa('sh', ['-c', 'deb=$1; out=$2; shift 2; dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$out" --wildcards "$@"', 'sh', join(work, deb), work, ...members]);
    const vmlinuz = readdirSync(join(work, 'boot')).find((f) => f.startsWith('vmlinuz-'));
    if (!vmlinuz) throw new Error(`${deb} holds no /boot/vmlinuz-*`);
    for (const p of netModulePaths) renameSync(join(work, 'lib/modules', release, p), join(dir, 'modules', basename(p)));
    renameSync(join(work, 'boot', vmlinuz), join(dir, vmlinuz));
    return cached(dir)!;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
