import { describe, expect, it } from 'vitest';
import { rewriteUrl, rewriteUrlsInText, urlRewrites } from '../../harness/services/rewrites.ts';
import { parseAccessLine, formatAccessLine, describeFetch } from '../../harness/services/accessLog.ts';
import { parseRange } from '../../harness/services/httpRange.ts';

const base = 'http://10.0.0.5:8080';

describe('url rewrites', () => {
  it('maps get.k3s.io to the install script and GitHub releases to the mirror', () => {
    expect(rewriteUrl('https://get.k3s.io', base)).toBe(`${base}/k3s/install.sh`);
    expect(rewriteUrl('https://get.k3s.io/', base)).toBe(`${base}/k3s/install.sh`);
    expect(rewriteUrl('https://github.com/k3s-io/k3s/releases', base)).toBe(`${base}/k3s/releases`);
    expect(rewriteUrl('https://github.com/k3s-io/k3s/releases/download/v1.31.0+k3s1/k3s', base)).toBe(
      `${base}/k3s/releases/download/v1.31.0+k3s1/k3s`,
    );
    expect(rewriteUrl('https://stable.release.flatcar-linux.net/amd64-usr/current/version.txt', base)).toBe(
      `${base}/flatcar/amd64-usr/current/version.txt`,
    );
  });

  it('leaves lookalikes and other URLs alone', () => {
    expect(rewriteUrl('https://get.k3s.io.evil.example', base)).toBe('https://get.k3s.io.evil.example');
    expect(rewriteUrl('https://github.com/k3s-io/k3s/releasesX', base)).toBe('https://github.com/k3s-io/k3s/releasesX');
    expect(rewriteUrl('https://example.com/', base)).toBe('https://example.com/');
  });

  it('rewrites URLs inside a config text and nothing else', () => {
    const unit = 'ExecStart=/bin/sh -c "curl -sfL https://get.k3s.io > /opt/k3s-install.sh"\nEnvironment=X=https://example.com/a\n';
    expect(rewriteUrlsInText(unit, base)).toBe(
      `ExecStart=/bin/sh -c "curl -sfL ${base}/k3s/install.sh > /opt/k3s-install.sh"\nEnvironment=X=https://example.com/a\n`,
    );
    const json = JSON.stringify({ source: 'https://get.k3s.io' });
    expect(JSON.parse(rewriteUrlsInText(json, base))).toEqual({ source: `${base}/k3s/install.sh` });
  });

  it('is data every room can read', () => {
    expect(urlRewrites.every((r) => r.to.startsWith('/') && r.from.startsWith('https://'))).toBe(true);
  });
});

describe('access log lines', () => {
  it('round-trips and rejects torn lines', () => {
    const e = { time: new Date('2026-11-25T18:00:00.000Z'), clientIp: '10.0.0.71', method: 'GET', path: '/ignition/node-2-ignite-boot.ign', status: 200, bytes: 812, durationMs: 4 };
    const line = formatAccessLine(e);
    expect(line).toBe('2026-11-25T18:00:00.000Z 10.0.0.71 GET /ignition/node-2-ignite-boot.ign 200 812 4ms');
    expect(parseAccessLine(line)).toEqual(e);
    expect(parseAccessLine(line.slice(0, 30))).toBeUndefined();
    expect(describeFetch(e)).toBe('10.0.0.71 fetched /ignition/node-2-ignite-boot.ign at 2026-11-25T18:00:00.000Z (200, 812 bytes)');
  });
});

describe('Range header', () => {
  it('reads one byte range', () => {
    expect(parseRange(undefined, 10)).toBeUndefined();
    expect(parseRange('bytes=0-3', 10)).toEqual({ start: 0, end: 3 });
    expect(parseRange('bytes=5-', 10)).toEqual({ start: 5, end: 9 });
    expect(parseRange('bytes=-3', 10)).toEqual({ start: 7, end: 9 });
    expect(parseRange('bytes=8-100', 10)).toEqual({ start: 8, end: 9 });
    expect(parseRange('bytes=10-', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,3-4', 10)).toBeUndefined();
    expect(parseRange('items=0-1', 10)).toBeUndefined();
  });
});
