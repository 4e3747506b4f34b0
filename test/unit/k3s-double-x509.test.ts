import { describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCertificate, newKeyPair } from '../../images/k3s-double/src/x509.ts';
import { caHash } from '../../images/k3s-double/src/pki.ts';

describe('K3s double x509: hand-written DER certificates', () => {
  const caKey = newKeyPair();
  const ca = issueCertificate({ subject: { commonName: 'k3s-server-ca@1' }, subjectKey: caKey, isCa: true, days: 3650 });
  const leafKey = newKeyPair();
  const leaf = issueCertificate({
    subject: { commonName: 'kube-apiserver', organization: 'k3s' },
    subjectKey: leafKey,
    issuer: { name: { commonName: 'k3s-server-ca@1' }, key: caKey },
    isCa: false,
    serverAuth: true,
    altNames: ['localhost', '10.0.0.70', 'node-1'],
    days: 365,
  });

  it('issues a CA and a leaf that Node verifies, with the SANs asked for', () => {
    const c = new X509Certificate(ca);
    const l = new X509Certificate(leaf);
    expect(c.ca).toBe(true);
    expect(l.ca).toBe(false);
    expect(c.verify(c.publicKey)).toBe(true);
    expect(l.verify(c.publicKey)).toBe(true);
    expect(l.checkIssued(c)).toBe(true);
    expect(l.checkIP('10.0.0.70')).toBe('10.0.0.70');
    expect(l.checkHost('node-1')).toBe('node-1');
    expect(l.checkIP('10.0.0.71')).toBeUndefined();
    expect(l.subject).toContain('O=k3s');
  });

  it('does not verify against another CA', () => {
    const other = new X509Certificate(issueCertificate({ subject: { commonName: 'other' }, subjectKey: newKeyPair(), isCa: true, days: 1 }));
    expect(new X509Certificate(leaf).verify(other.publicKey)).toBe(false);
  });

  it('passes openssl verify (the chain a Go or OpenSSL client builds)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'x509-'));
    try {
      writeFileSync(join(dir, 'ca.pem'), ca);
      writeFileSync(join(dir, 'leaf.pem'), leaf);
      expect(execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, 'leaf.pem')], { encoding: 'utf8' })).toContain('OK');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hashes the CA bundle the way the K10 token prefix carries it', () => {
    expect(caHash(ca)).toMatch(/^[0-9a-f]{64}$/);
    expect(caHash(ca)).not.toBe(caHash(ca + '\n'));
  });
});
