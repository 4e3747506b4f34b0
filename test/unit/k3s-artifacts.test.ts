import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { resolveK3s } from '../../harness/artifacts/k3s.ts';
import { installShFixturePath, isInstallShFixture, resolveInstallSh } from '../../harness/artifacts/installSh.ts';
import { writeK3sMirror } from '../../harness/artifacts/k3sMirror.ts';
import { checksumFor } from '../../harness/artifacts/sha256.ts';
import { UsageError } from '../../harness/errors.ts';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('k3s and install.sh artifact sources', () => {
  let dir: string;
  let server: Server;
  let base: string;
  const files = new Map<string, Buffer>();
  const hits: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'k3s-artifacts-'));
    const bin = Buffer.from('#!/bin/sh\necho "k3s version v1.31.0+k3s1 (abcdef)"\n');
    files.set('/releases/download/v1.31.0+k3s1/k3s', bin);
    files.set('/releases/download/v1.31.0+k3s1/sha256sum-amd64.txt', Buffer.from(`${sha('other')}  k3s-arm64\n${sha(bin)}  k3s\n`));
    files.set('/releases/download/v1.31.1+k3s1/k3s', bin);
    files.set('/releases/download/v1.31.1+k3s1/sha256sum-amd64.txt', Buffer.from(`${sha('tampered')}  k3s\n`));
    files.set('/raw/v1.31.0+k3s1/install.sh', Buffer.from('#!/bin/sh\necho real-ish\n'));
    server = createServer((req, res) => {
      const path = decodeURIComponent(req.url ?? '');
      hits.push(path);
      const body = files.get(path);
      if (!body) return res.writeHead(404).end();
      res.writeHead(200).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('offline by default: a release not in the cache is one line naming the flag, and nothing is fetched', async () => {
    const before = hits.length;
    const err = await resolveK3s({ kind: 'release', version: 'v1.31.0+k3s1' }, { cacheDir: join(dir, 'c1'), githubUrl: `${base}/releases`, onlineFlag: '--k3s-online' }).catch((e) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(/^k3s v1\.31\.0\+k3s1 is not in the cache \(.*\) and downloads are off: pass --k3s-online to fetch it from GitHub releases$/);
    expect(hits.length).toBe(before);
  });

  it('downloads a release, checks it against sha256sum-amd64.txt, then serves it from the cache offline', async () => {
    const opts = { cacheDir: join(dir, 'c2'), githubUrl: `${base}/releases` };
    const got = await resolveK3s({ kind: 'release', version: 'v1.31.0+k3s1' }, { ...opts, online: true });
    expect(got.kind).toBe('download');
    expect(got.sha256).toBe(sha(files.get('/releases/download/v1.31.0+k3s1/k3s')!));
    expect(got.version).toBe('v1.31.0+k3s1');
    expect(statSync(got.path).mode & 0o111).not.toBe(0);
    const again = await resolveK3s({ kind: 'release', version: 'v1.31.0+k3s1' }, opts);
    expect(again.kind).toBe('cache');
    expect(again.path).toBe(got.path);
  });

  it('refuses a download whose hash does not match, leaving nothing in the cache', async () => {
    const cacheDir = join(dir, 'c3');
    await expect(resolveK3s({ kind: 'release', version: 'v1.31.1+k3s1' }, { cacheDir, githubUrl: `${base}/releases`, online: true })).rejects.toThrow(
      /sha256 [0-9a-f]{64} does not match sha256sum-amd64\.txt/,
    );
    const rel = join(cacheDir, 'k3s', 'releases', 'v1.31.1+k3s1');
    expect(existsSync(rel) ? readdirSync(rel) : []).toEqual([]);
  });

  it('rejects a malformed version and a missing local file with one line', async () => {
    await expect(resolveK3s({ kind: 'release', version: '1.31' })).rejects.toThrow(/not a k3s release version: "1.31"/);
    await expect(resolveK3s({ kind: 'file', path: join(dir, 'nope') })).rejects.toThrow(/k3s binary not found/);
  });

  it('takes a local k3s file, reading its version from --version', async () => {
    const f = join(dir, 'k3s-local');
    writeFileSync(f, files.get('/releases/download/v1.31.0+k3s1/k3s')!);
    chmodSync(f, 0o755);
    const got = await resolveK3s({ kind: 'file', path: f });
    expect(got).toMatchObject({ kind: 'file', version: 'v1.31.0+k3s1', path: f });
    expect(got.description).toMatch(/^k3s v1\.31\.0\+k3s1 from local file/);
  });

  it('builds the double as one executable file that says what it is', async () => {
    const got = await resolveK3s({ kind: 'double' }, { cacheDir: join(dir, 'c4') });
    expect(got.kind).toBe('double');
    expect(readFileSync(got.path, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const v = execFileSync(got.path, ['--version'], { encoding: 'utf8' });
    expect(v).toContain(`k3s version ${got.version}`);
    expect(v).toMatch(/lab double/);
    expect(got.description).toMatch(/K3s double .*not k3s/);
    // One file: whatever it requires at run time is part of Node itself.
    const required = [...readFileSync(got.path, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!);
    const { builtinModules } = await import('node:module');
    expect(required.filter((r) => !builtinModules.includes(r.replace(/^node:/, '')))).toEqual([]);
  });

  it('resolves install.sh: the fixture (marked as one), a ref from the cache or online, a URL', async () => {
    const fx = await resolveInstallSh({ kind: 'fixture' });
    expect(fx).toMatchObject({ kind: 'fixture', path: installShFixturePath, version: 'fixture' });
    expect(isInstallShFixture(readFileSync(fx.path, 'utf8'))).toBe(true);
    expect(fx.description).toMatch(/FIXTURE/);

    const opts = { cacheDir: join(dir, 'c5'), rawBase: `${base}/raw` };
    await expect(resolveInstallSh({ kind: 'ref', ref: 'v1.31.0+k3s1' }, opts)).rejects.toThrow(/not in the cache .* pass --online/);
    const dl = await resolveInstallSh({ kind: 'ref', ref: 'v1.31.0+k3s1' }, { ...opts, online: true });
    expect(dl).toMatchObject({ kind: 'download', version: 'v1.31.0+k3s1' });
    expect(await resolveInstallSh({ kind: 'ref', ref: 'v1.31.0+k3s1' }, opts)).toMatchObject({ kind: 'cache', sha256: dl.sha256 });
    await expect(resolveInstallSh({ kind: 'ref', ref: 'not a ref' })).rejects.toThrow(/not a k3s release tag or commit/);

    const url = await resolveInstallSh({ kind: 'url', url: `${base}/raw/v1.31.0+k3s1/install.sh` }, { cacheDir: join(dir, 'c6'), online: true });
    expect(url).toMatchObject({ kind: 'download', sha256: dl.sha256 });
    await expect(resolveInstallSh({ kind: 'url', url: `${base}/missing.sh` }, { cacheDir: join(dir, 'c6'), online: true })).rejects.toThrow(/HTTP 404/);
    await expect(resolveInstallSh({ kind: 'file', path: join(dir, 'missing.sh') })).rejects.toThrow(/install.sh not found/);
  });

  it('writes the mirror in GitHub release layout with a checksum file install.sh can read', async () => {
    const k3s = await resolveK3s({ kind: 'double' }, { cacheDir: join(dir, 'c7') });
    const fx = await resolveInstallSh({ kind: 'fixture' });
    const root = join(dir, 'mirror');
    const out = writeK3sMirror(root, k3s, fx);
    const rel = join(root, 'k3s', 'releases', 'download', k3s.version);
    expect(out.releaseDir).toBe(rel);
    expect(sha(readFileSync(join(rel, 'k3s')))).toBe(k3s.sha256);
    const sums = readFileSync(join(rel, 'sha256sum-amd64.txt'), 'utf8');
    expect(sums).toBe(`${k3s.sha256}  k3s\n`);
    expect(checksumFor(sums, 'k3s')).toBe(k3s.sha256);
    expect(readFileSync(join(root, 'k3s', 'install.sh'), 'utf8')).toBe(readFileSync(fx.path, 'utf8'));
    expect(out.urls.binary).toBe(`/k3s/releases/download/${k3s.version}/k3s`);
  });
});

import { parseInstallShSource, parseK3sSource } from '../../harness/artifacts/sourceSpec.ts';

describe('artifact source words', () => {
  it('reads k3s sources', () => {
    expect(parseK3sSource('double')).toEqual({ kind: 'double' });
    expect(parseK3sSource('v1.32.4+k3s1')).toEqual({ kind: 'release', version: 'v1.32.4+k3s1' });
    expect(parseK3sSource('./bin/k3s')).toEqual({ kind: 'file', path: './bin/k3s' });
    expect(() => parseK3sSource('latest')).toThrow(/k3s source "latest": want/);
  });

  it('reads install.sh sources', () => {
    expect(parseInstallShSource('fixture')).toEqual({ kind: 'fixture' });
    expect(parseInstallShSource('fixture:pr13712')).toEqual({ kind: 'fixture', mode: 'pr13712' });
    expect(() => parseInstallShSource('fixture:pr99')).toThrow(/the fixture has no mode 'pr99' \(known: fixture:pr13712\)/);
    expect(parseInstallShSource('https://get.k3s.io')).toEqual({ kind: 'url', url: 'https://get.k3s.io' });
    expect(parseInstallShSource('v1.32.4+k3s1')).toEqual({ kind: 'ref', ref: 'v1.32.4+k3s1' });
    expect(parseInstallShSource('0efe2af1a735')).toEqual({ kind: 'ref', ref: '0efe2af1a735' });
    expect(parseInstallShSource('/tmp/install.sh')).toEqual({ kind: 'file', path: '/tmp/install.sh' });
    expect(() => parseInstallShSource('stable')).toThrow(/install.sh source "stable"/);
  });
});
