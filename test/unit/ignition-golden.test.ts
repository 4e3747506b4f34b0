// Golden tests: each Butane/CLC construct in test/fixtures/golden/<name>.yaml transpiles to exactly
// <name>.ign, and every golden output passes the upstream validator (Debian's ignition-validate).
// Regenerate after a deliberate change with UPDATE_GOLDEN=1 and review the diff.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../harness/paths.ts';
import { ignitionJson, transpile } from '../../harness/ignition/transpile.ts';
import { validateIgnition } from '../../harness/ignition/validate.ts';

const dir = join(projectRoot, 'test/fixtures/golden');
const cases = readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();

/** Validator warnings a golden case is about (the decimal mode's sticky bit); anything else fails. */
const expectedValidatorWarnings: Record<string, RegExp> = {
  'butane-mode-decimal': /setuid\/setgid\/sticky bits are not supported/,
};

describe('golden transpiles', () => {
  it('has a golden case for each construct', () => {
    expect(cases.length).toBeGreaterThanOrEqual(12);
  });

  for (const name of cases) {
    it(`${name}: output matches ${name}.ign and passes ignition-validate`, async () => {
      const yaml = readFileSync(join(dir, `${name}.yaml`), 'utf8');
      const { ignition, warnings } = transpile(yaml, { file: `${name}.yaml`, filesDir: dir });
      const json = ignitionJson(ignition);
      const goldenPath = join(dir, `${name}.ign`);
      if (process.env.UPDATE_GOLDEN || !existsSync(goldenPath)) writeFileSync(goldenPath, json);
      expect(json).toBe(readFileSync(goldenPath, 'utf8'));

      const result = await validateIgnition(json);
      expect(result.errors).toEqual([]);
      expect(result.ok).toBe(true);
      const allowed = expectedValidatorWarnings[name];
      if (allowed) {
        expect(result.warnings.length).toBeGreaterThan(0);
        for (const w of result.warnings) expect(w).toMatch(allowed);
      } else {
        expect(result.warnings).toEqual([]);
      }
      if (name !== 'butane-mode-decimal') expect(warnings).toEqual([]);
    });
  }
});
