import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveInstallSh } from '../../harness/artifacts/installSh.ts';
import { resolveK3s } from '../../harness/artifacts/k3s.ts';
import { combinationOf, installShSourceOf, k3sSourceOf } from '../../harness/history/combinationOf.ts';
import { sampleResult } from './report-fixture.ts';

const cache = mkdtempSync(join(tmpdir(), 'lab-history-combination-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

function seed(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

describe('which combination a result.json was', () => {
  it('reads the install.sh source back from what the resolver wrote, a cache hit being the same source as a download', async () => {
    const url = 'https://get.k3s.io/';
    seed(join(cache, 'install-sh', 'url', createHash('sha256').update(url).digest('hex').slice(0, 16), 'install.sh'), '#!/bin/sh\n');
    seed(join(cache, 'install-sh', 'ref', 'v1.32.4+k3s1', 'install.sh'), '#!/bin/sh\n');
    const local = join(cache, 'my-install.sh');
    seed(local, '#!/bin/sh\n');
    const cases: [Parameters<typeof resolveInstallSh>[0], string][] = [
      [{ kind: 'fixture' }, 'fixture'],
      [{ kind: 'fixture', mode: 'pr13712' }, 'fixture:pr13712'],
      [{ kind: 'file', path: local }, local],
      [{ kind: 'url', url: 'https://get.k3s.io' }, url],
      [{ kind: 'ref', ref: 'v1.32.4+k3s1' }, 'v1.32.4+k3s1'],
    ];
    for (const [source, want] of cases) {
      const resolved = await resolveInstallSh(source, { cacheDir: cache });
      expect(installShSourceOf(resolved.description), resolved.description).toBe(want);
    }
    // What a download says, instead of the cache.
    expect(installShSourceOf('install.sh of k3s-io/k3s@v1.32.4+k3s1 (downloaded)')).toBe('v1.32.4+k3s1');
  });

  it('reads the k3s back: the double, a release (cached or downloaded), a file', async () => {
    const double = await resolveK3s({ kind: 'double' }, { cacheDir: cache });
    expect(k3sSourceOf(double.description)).toBe('double');
    const dir = join(cache, 'k3s', 'releases', 'v1.32.4+k3s1');
    seed(join(dir, 'k3s'), 'binary');
    seed(join(dir, 'sha256sum-amd64.txt'), `${createHash('sha256').update('binary').digest('hex')}  k3s\n`);
    const release = await resolveK3s({ kind: 'release', version: 'v1.32.4+k3s1' }, { cacheDir: cache });
    expect(k3sSourceOf(release.description), release.description).toBe('v1.32.4+k3s1');
    expect(k3sSourceOf('k3s v1.32.4+k3s1 downloaded from https://github.com/k3s-io/k3s/releases/download/v1.32.4+k3s1 (sha256 checked)')).toBe('v1.32.4+k3s1');
    expect(k3sSourceOf(`K3s double v1.31.4+k3s1 from local file ${double.path}`)).toBe(double.path);
  });

  it("a result's combination: scenario, install.sh and k3s, with the script's sha256", () => {
    expect(combinationOf(sampleResult())).toEqual({ scenario: 'three-node-ha', installSh: 'fixture', k3s: 'double', installShSha256: 'b'.repeat(64) });
    expect(combinationOf({ scenario: 'x', artifacts: [] })).toEqual({ scenario: 'x', installSh: 'unknown', k3s: 'unknown' });
  });
});
