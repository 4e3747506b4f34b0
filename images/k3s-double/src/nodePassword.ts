/**
 * Node passwords, as k3s documents them ("Node password", k3s docs; the agent's refusal quoted in
 * k3s issues #802, #6054): a node registers with a random password it keeps in
 * /etc/rancher/node/password (written on its first start); the cluster keeps it per node name (a
 * `<name>.node-password.k3s` secret in kube-system); a node joining under a name the cluster
 * knows with another password is refused; `kubectl delete node` removes the node's secret too, so
 * a reinstalled node can join under its old name.
 * The double checks agents only: whether k3s enforces this for joining servers is not settled
 * (k3s issue #4049, open: "Node passwords or unique node names not effectively enforced for HA"),
 * and the double does not invent it. It stores a sha256 of the password; what k3s stores exactly
 * is not part of its contract.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EtcdClient } from './etcd/client.ts';
import { writeDurably } from './durable.ts';

/** The file k3s keeps; LAB_DOUBLE_NODE_PASSWORD_FILE moves it for tests that run several doubles on one host. */
export function nodePasswordFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.LAB_DOUBLE_NODE_PASSWORD_FILE || '/etc/rancher/node/password';
}

/** This node's password: read, or made and written on its first start. */
export function ensureNodePassword(file = nodePasswordFile()): string {
  if (existsSync(file)) {
    const p = readFileSync(file, 'utf8').trim();
    if (p) return p;
  }
  const password = randomBytes(16).toString('hex');
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeDurably(file, `${password}\n`, 0o600);
  return password;
}

export const secretKey = (name: string) => `/registry/secrets/kube-system/${name}.node-password.k3s`;
const hash = (password: string) => createHash('sha256').update(password).digest('hex');

/** The agent's words when the server refuses its password (k3s #6054, v1.24; the same in v1.29: hetzner-k3s #390). */
export const agentRefusal =
  "Node password rejected, duplicate hostname or contents of '/etc/rancher/node/password' may not match server node-passwd entry, try enabling a unique node name with the --with-node-id flag";

/** Checks a node's password against the one the cluster keeps for its name, keeping it on first sight. */
export async function verifyNodePassword(etcd: EtcdClient, name: string, password: string): Promise<boolean> {
  const kept = await etcd.get(secretKey(name));
  if (!kept) {
    await etcd.put(secretKey(name), JSON.stringify({ kind: 'Secret', metadata: { name: `${name}.node-password.k3s`, namespace: 'kube-system' }, data: { hash: hash(password) } }));
    return true;
  }
  return (JSON.parse(kept.value) as { data?: { hash?: string } }).data?.hash === hash(password);
}

export async function forgetNodePassword(etcd: EtcdClient, name: string): Promise<void> {
  await etcd.delete(secretKey(name));
}
