import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario, validateScenario } from '../../harness/scenario/model.ts';

const base = {
  name: 's',
  description: 'x',
  nodes: [{ name: 'node-1', mac: '52:54:00:00:00:46', ip: '10.0.0.70', role: 'init' }],
  cluster: { token: 't' },
  templates: { pxe: 'templates/ignite-pxe.yaml', boot: 'templates/ignite-boot.yaml' },
};

/** A scenario file with the given expect block, so the error can name its line. */
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function fileWith(expectText: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'scenario-expect-'));
  dirs.push(dir);
  const file = join(dir, 's.ts');
  writeFileSync(file, `export default {\n  name: 's',\n  expect: ${expectText},\n};\n`);
  return file;
}

describe('a scenario\'s expectation', () => {
  it('a reproducer must name reasons the run can check, and the error names the file and line', () => {
    const file = fileWith("{ outcome: 'fail' }");
    expect(() => validateScenario({ ...base, expect: { outcome: 'fail' } }, file)).toThrow(new RegExp(`^${file}:3: expect.reasons: a scenario that expects to fail must name its reasons`));
    expect(() => validateScenario({ ...base, expect: { outcome: 'fail', reasons: ['free text'] } }, file)).toThrow(/expect.reasons\[0\]: must be \{ text, cause/);
    expect(() => validateScenario({ ...base, expect: { outcome: 'fail', reasons: [{ text: 'a', assertion: 'no-such' }] } }, file)).toThrow(/unknown assertion 'no-such'/);
    expect(() => validateScenario({ ...base, expect: { outcome: 'fail', reasons: [{ text: 'a', lint: 'x', assertion: 'no-reinstall' }] } }, file)).toThrow(/give exactly one of cause, assertion, lint/);
    expect(() => validateScenario({ ...base, expect: { outcome: 'maybe' } }, file)).toThrow(/expect.outcome: must be 'pass' or 'fail'/);
    expect(() => validateScenario({ ...base, installSh: 7 }, file)).toThrow(/installSh: must be an --install-sh value/);
  });

  it('the shipped reproducers are valid: install-sh-regression carries the fixture mode and its cause', async () => {
    const s = await loadScenario('install-sh-regression');
    expect(s.installSh).toBe('fixture:pr13712');
    expect(s.expect?.reasons?.[0]).toMatchObject({ cause: { node: 'node-1', unit: 'k3s-install.service', line: 'Failed to find the k3s-selinux policy' } });
    expect((await loadScenario('seed-literal')).expect?.outcome).toBe('fail');
  });
});
