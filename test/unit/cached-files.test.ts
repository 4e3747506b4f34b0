import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { damagedFiles } from '../../harness/artifacts/cachedFiles.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function cache(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'cached-files-'));
  dirs.push(dir);
  const recorded: Record<string, { bytes: number; sha256: string }> = {};
  for (const [name, body] of Object.entries(files)) {
    writeFileSync(join(dir, name), body);
    recorded[name] = { bytes: Buffer.byteLength(body), sha256: createHash('sha256').update(body).digest('hex') };
  }
  return { dir, recorded };
}

describe('a cached build is checked against what its build recorded', () => {
  it('intact files pass and are stamped; a same-size change is found by its hash', async () => {
    const { dir, recorded } = cache({ a: 'aaaa', b: 'bbbb' });
    expect(await damagedFiles(dir, recorded, dir)).toEqual([]);
    expect(existsSync(join(dir, 'verified.json'))).toBe(true);
    writeFileSync(join(dir, 'a'), 'AAAA');
    // Same size, other bytes: the changed mtime makes it hash again, which finds the change.
    utimesSync(join(dir, 'a'), new Date(), new Date());
    expect(await damagedFiles(dir, recorded, dir)).toEqual([expect.stringMatching(/^a has sha256 [0-9a-f]{12}…, its build wrote [0-9a-f]{12}…$/)]);
  });

  it('a truncated file and a missing one are named', async () => {
    const { dir, recorded } = cache({ image: 'x'.repeat(100), sig: 'sig' });
    writeFileSync(join(dir, 'image'), 'x'.repeat(10));
    rmSync(join(dir, 'sig'));
    expect(await damagedFiles(dir, recorded, dir)).toEqual(['image is 10 bytes, its build wrote 100', 'sig is missing']);
    expect(existsSync(join(dir, 'verified.json'))).toBe(false);
  });
});
