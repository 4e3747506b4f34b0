/**
 * Debian bookworm's Node 18 (what the lab OS runs the double with), unpacked from its .deb files into
 * the cache without installing it: the host keeps its Node 20. Debian's node loads some builtins from
 * /usr/share/nodejs, so it runs in a private mount namespace where that directory is the unpacked one.
 */
import { execa } from 'execa';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from '../../../harness/paths.ts';

const PACKAGES = ['nodejs', 'libnode108', 'libc-ares2', 'libuv1', 'libbrotli1', 'libicu72', 'node-acorn', 'node-cjs-module-lexer', 'node-undici'];

export async function debianNode18(): Promise<string[]> {
  const dir = join(cacheRoot(), 'debian-node18');
  const root = join(dir, 'root');
  if (!existsSync(join(root, 'usr', 'bin', 'node'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'debs'), { recursive: true });
    const nodeVersion = (await execa('apt-cache', ['madison', 'nodejs'])).stdout
      .split('\n')
      .map((l) => l.split('|')[1]?.trim() ?? '')
      .find((v) => v.startsWith('18.'));
    if (!nodeVersion) throw new Error('apt-cache knows no nodejs 18.x (is this Debian bookworm with apt lists? run apt-get update)');
    const pkgs = PACKAGES.map((p) => (p === 'nodejs' ? `nodejs=${nodeVersion}` : p));
    await execa('apt-get', ['download', '-qq', ...pkgs], { cwd: join(dir, 'debs') });
    for (const deb of readdirSync(join(dir, 'debs'))) await execa('dpkg-deb', ['-x', join(dir, 'debs', deb), root]);
  }
  const script = [
    'mount -t tmpfs tmpfs /usr/share',
    'mkdir /usr/share/nodejs',
    `mount --bind ${root}/usr/share/nodejs /usr/share/nodejs`,
    `LD_LIBRARY_PATH=${root}/usr/lib/x86_64-linux-gnu exec ${root}/usr/bin/node "$@"`,
  ].join(' && ');
  return ['unshare', '-m', '--propagation', 'private', 'sh', '-c', script, 'node18'];
}
