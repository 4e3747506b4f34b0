import { execa } from 'execa';
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../harness/paths.ts';
import { InstallCache, installKey, pxeConfigForKey, type InstallKeyParts } from '../../harness/artifacts/installCache.ts';

const dir = mkdtempSync(join(tmpdir(), 'fkl-install-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const parts: InstallKeyParts = {
  release: 'aa:bb:cc',
  node: 'node-1',
  mac: '52:54:00:00:00:46',
  kernelArgs: ['flatcar.first_boot=1', 'ignition.config.url=http://10.0.0.5:8080/ignition/node-1-ignite-pxe.ign'],
  pxeConfig: '{"ignition":{"version":"3.3.0"}}',
  diskSize: '8G',
};

async function disk(name: string): Promise<string> {
  const path = join(dir, name);
  await execa('qemu-img', ['create', '-q', '-f', 'qcow2', path, '64M']);
  // Some data, so the kept copy has something to carry.
  await execa('qemu-io', ['-f', 'qcow2', '-c', 'write -q -P 0x5a 1M 64k', path]);
  return path;
}

describe('install cache keys', () => {
  it('change with everything the PXE stage depends on, and only with that', () => {
    const key = installKey(parts);
    expect(key).toMatch(/^[0-9a-f]{24}$/);
    expect(installKey({ ...parts })).toBe(key);
    for (const change of [{ release: 'aa:bb:cd' }, { node: 'node-2' }, { mac: '52:54:00:00:00:47' }, { kernelArgs: [...parts.kernelArgs, 'quiet'] }, { pxeConfig: '{}' }, { diskSize: '9G' }]) {
      expect(installKey({ ...parts, ...change }), JSON.stringify(change)).not.toBe(key);
    }
  });

  it('the PXE-stage config is the same whatever boot stage and SSH key the run has', () => {
    const pxe = (bootSha: string, sshKey: string) => JSON.stringify({ passwd: { users: [{ name: 'core', sshAuthorizedKeys: [sshKey] }] }, storage: { files: [{ path: '/opt/ignition.json', contents: { verification: { hash: `sha512-${bootSha}` } } }] } });
    const a = pxeConfigForKey(pxe('1'.repeat(128), 'ssh-ed25519 AAAAone run-1'), '1'.repeat(128), 'ssh-ed25519 AAAAone run-1\n');
    const b = pxeConfigForKey(pxe('2'.repeat(128), 'ssh-ed25519 AAAAtwo run-2'), '2'.repeat(128), 'ssh-ed25519 AAAAtwo run-2');
    expect(a).toBe(b);
    expect(a).toContain('sha512-<boot-stage sha512>');
    expect(a).not.toContain('AAAA');
  });
});

describe('InstallCache', () => {
  it('keeps a disk aside, finds it only once promoted, and a discarded one never', async () => {
    const cache = new InstallCache(join(dir, 'c1'));
    const key = installKey(parts);
    const pending = await cache.keep(await disk('a.qcow2'), { key, node: 'node-1', scenario: 'single-node', release: parts.release });
    expect(cache.find(key)).toBeUndefined();
    // While pending it is an owned temp dir: a killed run's is reaped by the next prune.
    expect(readdirSync(cache.root).filter((n) => n.startsWith('fkl-install-'))).toHaveLength(1);
    const cached = pending.promote();
    expect(cached.meta).toMatchObject({ key, node: 'node-1', scenario: 'single-node' });
    expect(cache.find(key)?.disk).toBe(join(cache.root, key, 'disk.qcow2'));
    const check = await execa('qemu-img', ['check', '-f', 'qcow2', cached.disk], { reject: false });
    expect(check.exitCode).toBe(0);
    expect(readdirSync(cache.root)).toEqual([key]);

    const other = installKey({ ...parts, node: 'node-2' });
    const dropped = await cache.keep(await disk('b.qcow2'), { key: other, node: 'node-2', scenario: 'single-node', release: parts.release });
    dropped.discard();
    expect(cache.find(other)).toBeUndefined();
    expect(readdirSync(cache.root)).toEqual([key]);
  });

  it('prune: reaps a dead run’s pending dir and drops installs beyond the newest nine not used for hours', async () => {
    const cache = new InstallCache(join(dir, 'c2'));
    const src = await disk('c.qcow2');
    const keys: string[] = [];
    for (let i = 0; i < 11; i++) {
      const key = installKey({ ...parts, node: `node-${i}` });
      keys.push(key);
      (await cache.keep(src, { key, node: `node-${i}`, scenario: 's', release: parts.release })).promote();
    }
    // All used just now: none is pruned, as a running run may stand on any of them.
    expect(cache.prune()).toEqual([]);
    const old = new Date(Date.now() - 24 * 3600_000);
    keys.forEach((k, i) => {
      const when = new Date(old.getTime() + i * 1000);
      utimesSync(join(cache.root, k, 'meta.json'), when, when);
    });
    const dead = join(cache.root, 'fkl-install-dead-x');
    rmSync(dead, { recursive: true, force: true });
    await execa('mkdir', ['-p', dead]);
    writeFileSync(join(dead, '.fkl-owner'), `${JSON.stringify({ pid: 2 ** 22 - 3, startTime: 1 })}\n`);
    const removed = cache.prune();
    expect(removed).toContain(dead);
    expect(removed.filter((r) => r !== dead).sort()).toEqual([join(cache.root, keys[0]!), join(cache.root, keys[1]!)].sort());
    expect(existsSync(join(cache.root, keys[10]!))).toBe(true);
  });
});

describe('lab clean', () => {
  it('removes the install a killed run was keeping, and leaves kept installs alone', async () => {
    const root = join(dir, 'c3');
    const cache = new InstallCache(root);
    const key = installKey(parts);
    (await cache.keep(await disk('d.qcow2'), { key, node: 'node-1', scenario: 's', release: parts.release })).promote();
    const dead = join(root, 'fkl-install-killed-run');
    await execa('mkdir', ['-p', dead]);
    writeFileSync(join(dead, '.fkl-owner'), `${JSON.stringify({ pid: 2 ** 22 - 5, startTime: 1 })}\n`);
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const r = await execa(process.execPath, ['--import', tsx, join(projectRoot, 'harness/cli.ts'), 'clean'], { cwd: projectRoot, reject: false, env: { LAB_INSTALLS_DIR: root } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(`lab clean: removed ${dead} (its run is gone)`);
    expect(existsSync(dead)).toBe(false);
    expect(cache.find(key)).toBeDefined();
  });
});
