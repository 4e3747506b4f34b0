import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAccessLog } from '../../harness/services/accessLog.ts';
import { startMirror, type Mirror } from '../../harness/services/mirror.ts';
import { writeMirrorFaults } from '../../harness/services/mirrorFaults.ts';

let dir: string;
let mirror: Mirror;
let log: string;
let rules: string;

/** One GET: its status, or 'no answer' when nothing came within `waitMs`. */
function get(path: string, waitMs = 2000): Promise<number | 'no answer'> {
  return new Promise((resolve, reject) => {
    const req = request(`${mirror.url}${path}`, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(waitMs, () => {
      req.destroy();
      resolve('no answer');
    });
    req.on('error', (e) => (String(e).includes('socket hang up') ? resolve('no answer') : reject(e)));
    req.end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mirror-faults-'));
  mkdirSync(join(dir, 'k3s'));
  writeFileSync(join(dir, 'k3s', 'install.sh'), '#!/bin/sh\n');
  writeFileSync(join(dir, 'k3s', 'other.txt'), 'x');
  log = join(dir, 'access.log');
  rules = join(dir, 'faults.json');
  mirror = await startMirror({ host: '127.0.0.1', port: 0, accessLog: log, mounts: [{ urlPath: '/k3s/', dir: join(dir, 'k3s') }], faultsFile: rules });
});

afterAll(async () => {
  await mirror?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('mirror faults', () => {
  it('a path answers 503 for exactly the next N requests, then is served; other paths are untouched', async () => {
    expect(await get('/k3s/install.sh')).toBe(200);
    writeMirrorFaults(rules, [{ id: 'a', path: '/k3s/install.sh', action: 503, count: 2 }]);
    expect(await get('/k3s/other.txt')).toBe(200);
    expect([await get('/k3s/install.sh'), await get('/k3s/install.sh'), await get('/k3s/install.sh')]).toEqual([503, 503, 200]);
  });

  it('rules add up by id, and a 404 rule answers 404 once', async () => {
    writeMirrorFaults(rules, [
      { id: 'a', path: '/k3s/install.sh', action: 503, count: 2 },
      { id: 'b', path: '/k3s/', action: 404, count: 1 },
    ]);
    // 'a' is spent already: only the new rule acts.
    expect([await get('/k3s/install.sh'), await get('/k3s/install.sh')]).toEqual([404, 200]);
  });

  it('a stall never answers; the access log says 499 once the client gave up', async () => {
    writeMirrorFaults(rules, [{ id: 'c', path: '/k3s/other.txt', action: 'stall', count: 1 }]);
    expect(await get('/k3s/other.txt', 800)).toBe('no answer');
    expect(await get('/k3s/other.txt')).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    const entries = readAccessLog(log).filter((e) => e.path === '/k3s/other.txt');
    expect(entries.map((e) => e.status)).toContain(499);
    expect(readFileSync(log, 'utf8')).not.toContain('undefined');
  });
});
