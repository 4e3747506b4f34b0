import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAccessLine, parseStallLine, readAccessLog, waitForFetch } from '../../harness/services/accessLog.ts';
import { resolveMountPath, startMirror, type Mirror } from '../../harness/services/mirror.ts';
import { mirrorMounts, mirrorPaths } from '../../harness/services/mirrorLayout.ts';

let dir: string;
let mirror: Mirror;
let log: string;
const big = randomBytes(24 * 1024 * 1024);

function rawGet(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${mirror.url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mirror-test-'));
  const rendered = join(dir, 'out', 'mirror');
  mkdirSync(join(rendered, 'ignition'), { recursive: true });
  mkdirSync(join(rendered, 'k3s'), { recursive: true });
  writeFileSync(join(rendered, 'ignition', 'node-1-ignite-pxe.ign'), '{"ignition":{"version":"3.4.0"}}');
  writeFileSync(join(rendered, 'k3s', 'install.sh'), '#!/bin/sh\necho install\n');
  mkdirSync(join(dir, 'flatcar-1'));
  writeFileSync(join(dir, 'flatcar-1', 'version.txt'), 'FLATCAR_VERSION=1.0.0\n');
  mkdirSync(join(dir, 'flatcar-2'));
  writeFileSync(join(dir, 'flatcar-2', 'version.txt'), 'FLATCAR_VERSION=2.0.0\n');
  writeFileSync(join(dir, 'flatcar-2', 'flatcar_production_image.bin.bz2'), big);
  mkdirSync(join(dir, 'k3s-v1'));
  writeFileSync(join(dir, 'k3s-v1', 'k3s'), 'binary');
  writeFileSync(join(dir, 'secret'), 'outside every mount');
  log = join(dir, 'access.log');
  mirror = await startMirror({
    host: '127.0.0.1',
    port: 0,
    accessLog: log,
    mounts: mirrorMounts({
      renderedDir: rendered,
      flatcar: [
        { version: '1.0.0', dir: join(dir, 'flatcar-1') },
        { version: '2.0.0', dir: join(dir, 'flatcar-2'), current: true },
      ],
      k3s: [{ version: 'v1.31.0+k3s1', dir: join(dir, 'k3s-v1') }],
    }),
  });
});

afterAll(async () => {
  await mirror?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('mirror', () => {
  it('serves the shared layout, longest mount first', async () => {
    expect((await rawGet(mirrorPaths.ignition('node-1', 'pxe'))).body.toString()).toContain('3.4.0');
    expect((await rawGet(mirrorPaths.installScript)).body.toString()).toContain('echo install');
    expect((await rawGet('/flatcar/amd64-usr/1.0.0/version.txt')).body.toString()).toBe('FLATCAR_VERSION=1.0.0\n');
    expect((await rawGet('/flatcar/amd64-usr/current/version.txt')).body.toString()).toBe('FLATCAR_VERSION=2.0.0\n');
    // /k3s/releases/download/<v>/ sits under the rendered /k3s/ mount and must win.
    const bin = await rawGet(encodeURI(mirrorPaths.k3sBinary('v1.31.0+k3s1')).replace('+', '%2B'));
    expect(bin.status).toBe(200);
    expect(bin.body.toString()).toBe('binary');
    expect((await rawGet('/k3s/releases/download/v1.31.0+k3s1/k3s')).body.toString()).toBe('binary');
  });

  it('answers 404 for missing files and never leaves a mount', async () => {
    expect((await rawGet('/ignition/nope.ign')).status).toBe(404);
    expect((await rawGet('/ignition/')).status).toBe(404);
    expect((await rawGet('/ignition/../../secret')).status).toBe(404);
    expect((await rawGet('/ignition/%2e%2e/%2e%2e/%2e%2e/secret')).status).toBe(404);
    expect((await rawGet('/ignition/..%2f..%2f..%2fsecret')).status).toBe(404);
    expect(resolveMountPath([{ urlPath: '/a/', dir: '/srv' }], '/a/../etc/passwd')).toBeUndefined();
  });

  it('streams a large file whole and honours Range', async () => {
    const path = '/flatcar/amd64-usr/2.0.0/flatcar_production_image.bin.bz2';
    const whole = await rawGet(path);
    expect(whole.status).toBe(200);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(createHash('sha256').update(whole.body).digest('hex')).toBe(createHash('sha256').update(big).digest('hex'));

    const part = await rawGet(path, { range: 'bytes=100-199' });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-199/${big.length}`);
    expect(part.body.equals(big.subarray(100, 200))).toBe(true);

    const tail = await rawGet(path, { range: 'bytes=-10' });
    expect(tail.status).toBe(206);
    expect(tail.body.equals(big.subarray(big.length - 10))).toBe(true);

    const open = await rawGet(path, { range: `bytes=${big.length - 5}-` });
    expect(open.body.equals(big.subarray(big.length - 5))).toBe(true);

    const bad = await rawGet(path, { range: `bytes=${big.length}-` });
    expect(bad.status).toBe(416);
    expect(bad.headers['content-range']).toBe(`bytes */${big.length}`);
  });

  it('answers HEAD with the length and no body', async () => {
    const r = await new Promise<{ status: number; len: unknown; body: number }>((resolve, reject) => {
      const req = request(`${mirror.url}/flatcar/amd64-usr/1.0.0/version.txt`, { method: 'HEAD' }, (res) => {
        let body = 0;
        res.on('data', (c: Buffer) => (body += c.length));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, len: res.headers['content-length'], body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(r).toEqual({ status: 200, len: String('FLATCAR_VERSION=1.0.0\n'.length), body: 0 });
  });

  it('logs every request as a parseable line with client, path, status and bytes', async () => {
    await rawGet('/flatcar/amd64-usr/1.0.0/version.txt');
    await rawGet('/ignition/missing.ign');
    const hit = await waitForFetch(log, { clientIp: '127.0.0.1', path: '/flatcar/amd64-usr/1.0.0/version.txt' }, { timeoutMs: 2000 });
    expect(hit.bytes).toBe('FLATCAR_VERSION=1.0.0\n'.length);
    expect(hit.method).toBe('GET');
    const entries = readAccessLog(log);
    const missing = entries.find((e) => e.path === '/ignition/missing.ign');
    expect(missing?.status).toBe(404);
    const ranged = entries.find((e) => e.status === 206 && e.bytes === 100);
    expect(ranged).toBeDefined();
    const whole = entries.find((e) => e.path.endsWith('.bin.bz2') && e.status === 200);
    expect(whole?.bytes).toBe(big.length);
  });

  it('logs the bytes really sent when a client aborts a download', async () => {
    const path = '/flatcar/amd64-usr/current/flatcar_production_image.bin.bz2?aborted=1';
    await new Promise<void>((resolve, reject) => {
      const req = request(`${mirror.url}${path}`, (res) => {
        let got = 0;
        res.on('data', (c: Buffer) => {
          got += c.length;
          if (got > 1024 * 1024) req.destroy();
        });
        res.on('close', () => resolve());
      });
      req.on('error', () => resolve());
      req.setTimeout(5000, () => reject(new Error('no data')));
      req.end();
    });
    const e = await waitForFetch(log, { path: '/flatcar/amd64-usr/current/flatcar_production_image.bin.bz2', okOnly: true }, { timeoutMs: 3000 });
    expect(e.bytes).toBeGreaterThan(0);
    expect(e.bytes).toBeLessThan(big.length);
  });

  it('writes a STALLED line when a download stops moving with its connection open, and none for a steady one', async () => {
    const stallLog = join(dir, 'stall-access.log');
    writeFileSync(stallLog, '');
    const stallLines = () => readFileSync(stallLog, 'utf8').split('\n').filter((l) => l.includes('STALLED'));
    const stallMirror = await startMirror({ host: '127.0.0.1', port: 0, accessLog: stallLog, stallAfterMs: 400, mounts: [{ urlPath: '/initrd.cpio.gz', file: join(dir, 'flatcar-2', 'flatcar_production_image.bin.bz2') }] });
    try {
      // A client that takes the first chunk and then stops reading, as lpxelinux.0 did when it hung.
      let req: ReturnType<typeof request> | undefined;
      await new Promise<void>((resolve, reject) => {
        req = request(`${stallMirror.url}/initrd.cpio.gz`, (res) => {
          res.once('data', () => {
            res.pause();
            resolve();
          });
        });
        req.on('error', reject);
        req.end();
      });
      const deadline = Date.now() + 5000;
      let stalled: ReturnType<typeof parseStallLine>;
      while (!stalled && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        stalled = stallLines().map(parseStallLine).find(Boolean);
      }
      expect(stalled).toMatchObject({ clientIp: '127.0.0.1', path: '/initrd.cpio.gz', total: big.length });
      expect(stalled!.bytes).toBeGreaterThan(0);
      expect(stalled!.bytes).toBeLessThan(big.length);
      expect(stalled!.idleMs).toBeGreaterThanOrEqual(400);
      req!.destroy();
      // The entry for the request still comes at close; the STALLED line is not an entry.
      const entry = await waitForFetch(stallLog, { path: '/initrd.cpio.gz' }, { timeoutMs: 3000 });
      expect(entry.bytes).toBeLessThan(big.length);
      expect(stallLines().every((l) => parseAccessLine(l) === undefined)).toBe(true);

      // A client that reads steadily is never reported.
      const before = stallLines().length;
      const whole = await new Promise<number>((resolve, reject) => {
        const r = request(`${stallMirror.url}/initrd.cpio.gz`, (res) => {
          let n = 0;
          res.on('data', (c: Buffer) => (n += c.length));
          res.on('end', () => resolve(n));
        });
        r.on('error', reject);
        r.end();
      });
      expect(whole).toBe(big.length);
      expect(stallLines().length).toBe(before);
    } finally {
      await stallMirror.close();
    }
  });

  it('names the fetch it waited for when it never comes', async () => {
    await expect(waitForFetch(log, { clientIp: '10.0.0.71', path: '/ignition/x.ign' }, { timeoutMs: 300, pollMs: 50 })).rejects.toThrow(
      /10\.0\.0\.71 to fetch \/ignition\/x\.ign/,
    );
  });

  it('rejects malformed mounts', async () => {
    await expect(startMirror({ host: '127.0.0.1', port: 0, accessLog: log, mounts: [{ urlPath: '/x', dir: dir }] })).rejects.toThrow(/must end with/);
  });
});
