import { chmodSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashFiles, labOsRecipeDir, listFiles, readLabOsOptions, recipeHash, rootfsHash } from '../../harness/artifacts/labOsRecipe.ts';
import { versionTxt } from '../../harness/artifacts/labOs.ts';

const dirs: string[] = [];
function copyRecipe(): string {
  const d = mkdtempSync(join(tmpdir(), 'lab-os-recipe-'));
  dirs.push(d);
  cpSync(labOsRecipeDir, d, { recursive: true });
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('lab OS recipe hash', () => {
  const opts = { version: '9000.1.0', board: 'amd64-usr', mirrorBasePrefix: 'http://10.0.0.5:8080/flatcar', rootPartitionMiB: 1024 };

  it('is stable for an unchanged recipe', () => {
    const d = copyRecipe();
    expect(recipeHash(opts, 'FPR', d)).toBe(recipeHash(opts, 'FPR', d));
    expect(recipeHash(opts, 'FPR', d)).toBe(recipeHash(opts, 'FPR', labOsRecipeDir));
  });

  it('changes with any file content, a lost executable bit, the build options and the signing key', () => {
    const d = copyRecipe();
    const before = recipeHash(opts, 'FPR', d);
    expect(recipeHash({ ...opts, mirrorBasePrefix: 'http://192.0.2.1/flatcar' }, 'FPR', d)).not.toBe(before);
    expect(recipeHash(opts, 'OTHER', d)).not.toBe(before);
    expect(recipeHash({ ...opts, rootPartitionMiB: 2048 }, 'FPR', d)).not.toBe(before);
    chmodSync(join(d, 'overlay/usr/bin/flatcar-install'), 0o644);
    expect(recipeHash(opts, 'FPR', d)).not.toBe(before);
    chmodSync(join(d, 'overlay/usr/bin/flatcar-install'), 0o755);
    expect(recipeHash(opts, 'FPR', d)).toBe(before);
    writeFileSync(join(d, 'overlay/etc/profile.d/opt-bin.sh'), '# changed\n');
    expect(recipeHash(opts, 'FPR', d)).not.toBe(before);
  });

  it('ignores documentation (*.md) in the recipe directory', () => {
    const d = copyRecipe();
    const before = recipeHash(opts, 'FPR', d);
    writeFileSync(join(d, 'NOTES.md'), '# notes\n');
    expect(recipeHash(opts, 'FPR', d)).toBe(before);
  });

  it('keys the mmdebstrap stage by the package list and its script only', () => {
    const d = copyRecipe();
    const before = rootfsHash(d);
    writeFileSync(join(d, 'stages/image.sh'), '# later stages do not rebuild the rootfs\n');
    expect(rootfsHash(d)).toBe(before);
    writeFileSync(join(d, 'packages.txt'), 'systemd\n');
    expect(rootfsHash(d)).not.toBe(before);
  });

  it('lists files recursively and sorted; hashFiles mixes names with contents', () => {
    const d = mkdtempSync(join(tmpdir(), 'lab-os-hash-'));
    dirs.push(d);
    writeFileSync(join(d, 'b'), 'x');
    writeFileSync(join(d, 'a'), 'x');
    expect(listFiles(d)).toEqual(['a', 'b']);
    expect(hashFiles(d, ['a'])).not.toBe(hashFiles(d, ['b']));
  });

  it('reads recipe.json and rejects a version that is not x.y.z', () => {
    expect(readLabOsOptions().version).toMatch(/^\d+\.\d+\.\d+$/);
    const d = copyRecipe();
    writeFileSync(join(d, 'recipe.json'), JSON.stringify({ ...opts, version: '9000' }));
    expect(() => readLabOsOptions(d)).toThrow(/recipe\.json: version must be x\.y\.z/);
  });
});

describe('version.txt', () => {
  it('has the keys flatcar-install reads to resolve current', () => {
    const t = versionTxt('9000.1.2', 'amd64-usr', 'abc');
    expect(t).toContain('FLATCAR_VERSION=9000.1.2\n');
    expect(t).toContain('FLATCAR_BUILD=9000\nFLATCAR_BRANCH=1\nFLATCAR_PATCH=2\n');
    expect(t).toContain('FLATCAR_BOARD=amd64-usr\n');
  });
});
