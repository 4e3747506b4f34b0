import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EtcdClient } from '../../images/k3s-double/src/etcd/client.ts';
import { ensureNodePassword, forgetNodePassword, secretKey, verifyNodePassword } from '../../images/k3s-double/src/nodePassword.ts';

const dir = mkdtempSync(join(tmpdir(), 'node-password-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The three etcd calls the check makes, on a Map. */
function memoryEtcd(): EtcdClient & { keys: Map<string, string> } {
  const keys = new Map<string, string>();
  return {
    keys,
    get: async (k: string) => (keys.has(k) ? { key: k, value: keys.get(k)!, modRevision: '1' } : undefined),
    put: async (k: string, v: string) => void keys.set(k, v),
    delete: async (k: string) => void keys.delete(k),
  } as unknown as EtcdClient & { keys: Map<string, string> };
}

describe('K3s double node passwords (k3s docs, "Node password")', () => {
  it('a node makes its password once and keeps it (0600)', () => {
    const file = join(dir, 'rancher/node/password');
    const first = ensureNodePassword(file);
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    expect(ensureNodePassword(file)).toBe(first);
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('the cluster keeps the first password per name, refuses another, and forgets it when the node is deleted', async () => {
    const etcd = memoryEtcd();
    expect(await verifyNodePassword(etcd, 'node-2', 'old-disk')).toBe(true);
    expect(etcd.keys.has(secretKey('node-2'))).toBe(true);
    expect(etcd.keys.get(secretKey('node-2'))).not.toContain('old-disk');
    expect(await verifyNodePassword(etcd, 'node-2', 'old-disk')).toBe(true);
    expect(await verifyNodePassword(etcd, 'node-2', 'new-disk')).toBe(false);
    expect(await verifyNodePassword(etcd, 'node-3', 'new-disk')).toBe(true);
    await forgetNodePassword(etcd, 'node-2');
    expect(await verifyNodePassword(etcd, 'node-2', 'new-disk')).toBe(true);
  });
});
