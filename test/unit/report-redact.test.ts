import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { containsSecret, decodeDataUrl, redactIgnition, redactText, secretForms } from '../../harness/report/redact.ts';

const token = 'K3sSecret-7f3a9c1e+b2/=&x';

function ignitionWith(script: string, unit: string, how: 'plain' | 'base64' | 'gzip'): string {
  const source =
    how === 'plain'
      ? `data:,${encodeURIComponent(script)}`
      : how === 'base64'
        ? `data:;base64,${Buffer.from(script).toString('base64')}`
        : `data:;base64,${gzipSync(Buffer.from(script)).toString('base64')}`;
  return JSON.stringify({
    ignition: { version: '3.3.0' },
    storage: { files: [{ path: '/etc/k3s.env', contents: { source, ...(how === 'gzip' ? { compression: 'gzip' } : {}) } }] },
    systemd: { units: [{ name: 'k3s-install.service', contents: unit, dropins: [{ name: 'x.conf', contents: `[Service]\nEnvironment=K3S_TOKEN=${token}\n` }] }] },
  });
}

describe('redaction', () => {
  it.each(['plain', 'base64', 'gzip'] as const)('leaves no token in an Ignition config with %s contents', (how) => {
    for (const prefix of ['', 'a', 'ab', 'abc']) {
      const script = `#!/bin/sh\n${prefix}export K3S_TOKEN="${token}"\nexec /opt/k3s-install.sh --token ${token}\n`;
      const unit = `[Service]\nEnvironment="K3S_TOKEN=${token}"\nEnvironment="INSTALL_K3S_EXEC=server --cluster-init --token=${token}"\n`;
      const out = redactIgnition(ignitionWith(script, unit, how), [token]);
      expect(containsSecret(out, [token])).toBe(false);
      expect(out).not.toContain(token);
      expect(out).not.toContain(Buffer.from(token).toString('base64').slice(0, 12));
      expect(out).toContain('<redacted>');
      // The rest of the file is still readable for the report.
      const parsed = JSON.parse(out) as { storage: { files: { contents: { source: string } }[] } };
      expect(decodeDataUrl(parsed.storage.files[0]!.contents.source)).toContain('exec /opt/k3s-install.sh --token <redacted>');
    }
  });

  it('finds tokens it was not told about by their shape', () => {
    const text = [
      'Environment="K3S_TOKEN=unknownsecret1"',
      'K3STOKEN=unknownsecret2',
      'k3s server --token unknownsecret3 --cluster-init',
      'K10' + 'ab'.repeat(32) + '::server:unknownsecret4',
      '{"token": "unknownsecret5"}',
      'data:,K3S_TOKEN%3Dunknownsecret6%0A',
    ].join('\n');
    const out = redactText(text);
    for (let i = 1; i <= 6; i++) expect(out).not.toContain(`unknownsecret${i}`);
    expect(out).toContain('--cluster-init');
  });

  it('covers a known secret in every base64 alignment inside a larger blob', () => {
    for (const pre of ['', 'x', 'xy', 'xyz', 'wxyz']) {
      const blob = Buffer.from(`${pre}${token}trailing text`).toString('base64');
      expect(containsSecret(blob, [token])).toBe(true);
      expect(containsSecret(redactText(blob, [token]), [token])).toBe(false);
    }
    expect(secretForms(token)).toContain(encodeURIComponent(token));
  });

  it('leaves text without secrets alone', () => {
    const text = 'DHCPACK(br0) 10.0.0.70 52:54:00:00:00:46 node-1';
    expect(redactText(text, [token])).toBe(text);
  });
});

import { findIgnitionTokens } from '../../harness/report/redact.ts';

describe('finding hard-coded tokens', () => {
  it("finds the seed's tokens in a config's encoded contents", () => {
    const script = 'export K3STOKEN=secretedgeclustertoken\n';
    const json = JSON.stringify({
      storage: { files: [{ path: '/x', contents: { source: `data:;base64,${Buffer.from(script).toString('base64')}` } }] },
      systemd: { units: [{ name: 'k3s-install.service', contents: '[Service]\nEnvironment="K3S_TOKEN=secret_edgecluster_token"\n' }] },
    });
    expect(findIgnitionTokens(json).sort()).toEqual(['secret_edgecluster_token', 'secretedgeclustertoken']);
  });
});
