/**
 * The cluster's certificate authorities and each node's certificates, under <data-dir>/server/tls
 * with k3s's file names. The first server makes the CAs; joining servers receive them.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeDurably } from './durable.ts';
import { dirname, join } from 'node:path';
import { issueCertificate, keyPairFromPem, newKeyPair, type DistinguishedName } from './x509.ts';

export const CA_NAMES = ['server-ca', 'client-ca', 'etcd/server-ca', 'etcd/peer-ca'] as const;
export type CaName = (typeof CA_NAMES)[number];
export type CaBundle = Record<CaName, { crt: string; key: string }>;

export function tlsDir(dataDir: string): string {
  return join(dataDir, 'server', 'tls');
}

function writeSecret(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeDurably(path, content, 0o600);
}

export function hasCas(dataDir: string): boolean {
  return CA_NAMES.every((n) => existsSync(join(tlsDir(dataDir), `${n}.crt`)));
}

export function createCas(dataDir: string): CaBundle {
  const stamp = Math.floor(Date.now() / 1000);
  const bundle = {} as CaBundle;
  for (const n of CA_NAMES) {
    const key = newKeyPair();
    const cn = `k3s-${n.replace('/', '-')}@${stamp}`;
    bundle[n] = { key: key.privateKeyPem, crt: issueCertificate({ subject: { commonName: cn }, subjectKey: key, isCa: true, days: 3650 }) };
  }
  writeCas(dataDir, bundle);
  return bundle;
}

export function writeCas(dataDir: string, bundle: CaBundle): void {
  for (const n of CA_NAMES) {
    writeSecret(join(tlsDir(dataDir), `${n}.key`), bundle[n].key);
    writeDurably(join(tlsDir(dataDir), `${n}.crt`), bundle[n].crt);
  }
}

export function loadCas(dataDir: string): CaBundle {
  const bundle = {} as CaBundle;
  for (const n of CA_NAMES) {
    bundle[n] = {
      crt: readFileSync(join(tlsDir(dataDir), `${n}.crt`), 'utf8'),
      key: readFileSync(join(tlsDir(dataDir), `${n}.key`), 'utf8'),
    };
  }
  return bundle;
}

/** k3s's token prefix carries the SHA-256 of the cluster CA bundle served at /cacerts. */
export function caHash(serverCaPem: string): string {
  return createHash('sha256').update(serverCaPem).digest('hex');
}

function subjectOf(pem: string): DistinguishedName {
  // The issuer name must match the CA's subject byte for byte; our CAs only carry a CN.
  const cn = /CN=([^\n]+)/.exec(new X509Certificate(pem).subject)?.[1];
  return { commonName: cn ?? 'unknown' };
}

export interface Leaf {
  crt: string;
  key: string;
}

export function issueLeaf(
  bundle: CaBundle,
  ca: CaName,
  subject: DistinguishedName,
  use: { server?: boolean; client?: boolean },
  altNames: string[] = [],
): Leaf {
  const caKey = keyPairFromPem(bundle[ca].key);
  const key = newKeyPair();
  const crt = issueCertificate({
    subject,
    subjectKey: key,
    issuer: { name: subjectOf(bundle[ca].crt), key: caKey },
    isCa: false,
    serverAuth: use.server,
    clientAuth: use.client,
    altNames,
    days: 365,
  });
  return { crt, key: key.privateKeyPem };
}

export function writeLeaf(dataDir: string, name: string, leaf: Leaf): { crt: string; key: string } {
  const crt = join(tlsDir(dataDir), `${name}.crt`);
  const key = join(tlsDir(dataDir), `${name}.key`);
  writeSecret(key, leaf.key);
  writeDurably(crt, leaf.crt);
  return { crt, key };
}
