/** /etc/rancher/k3s/k3s.yaml as k3s writes it: one cluster, one admin user with an embedded client cert. */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse, stringify } from 'yaml';
import { fatal } from './log.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

export function kubeconfigYaml(server: string, caPem: string, clientCrt: string, clientKey: string): string {
  return stringify({
    apiVersion: 'v1',
    clusters: [{ cluster: { 'certificate-authority-data': b64(caPem), server }, name: 'default' }],
    contexts: [{ context: { cluster: 'default', user: 'default' }, name: 'default' }],
    'current-context': 'default',
    kind: 'Config',
    preferences: {},
    users: [{ name: 'default', user: { 'client-certificate-data': b64(clientCrt), 'client-key-data': b64(clientKey) } }],
  });
}

/** Mode as --write-kubeconfig-mode gives it (octal string, "644"); k3s's default is 0600. */
export function writeKubeconfig(path: string, content: string, mode: string | undefined): void {
  const m = mode ? parseInt(mode, 8) : 0o600;
  if (!Number.isInteger(m) || m < 0 || m > 0o777) fatal(`invalid --write-kubeconfig-mode "${mode}": want octal like 644`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content, { mode: m });
  chmodSync(path, m);
}

export interface ResolvedKubeconfig {
  server: string;
  ca: string;
  cert: string;
  key: string;
}

export function readKubeconfig(path: string): ResolvedKubeconfig {
  let doc: any;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (e) {
    fatal(`cannot read kubeconfig ${path}: ${(e as Error).message.split('\n')[0]}`);
  }
  const ctxName = doc?.['current-context'];
  const ctx = doc?.contexts?.find((c: any) => c.name === ctxName)?.context;
  const cluster = doc?.clusters?.find((c: any) => c.name === ctx?.cluster)?.cluster;
  const user = doc?.users?.find((u: any) => u.name === ctx?.user)?.user;
  if (!cluster?.server || !user) fatal(`kubeconfig ${path} has no usable current context`);
  const data = (k: string) => Buffer.from(String(k ?? ''), 'base64').toString('utf8');
  return {
    server: cluster.server,
    ca: cluster['certificate-authority-data'] ? data(cluster['certificate-authority-data']) : readFileSync(cluster['certificate-authority'], 'utf8'),
    cert: user['client-certificate-data'] ? data(user['client-certificate-data']) : readFileSync(user['client-certificate'], 'utf8'),
    key: user['client-key-data'] ? data(user['client-key-data']) : readFileSync(user['client-key'], 'utf8'),
  };
}
