import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleResult } from './report-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'lab-report-cmd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lab report', () => {
  it('summarises result.json, rewrites report.html, exits as the run did', async () => {
    writeFileSync(join(dir, 'result.json'), JSON.stringify(sampleResult()));
    const r = await execa('npx', ['tsx', 'harness/cli.ts', 'report', dir], { reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('three-node-ha: FAIL (300 s');
    expect(r.stdout).toContain('FAIL  no-reinstall');
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('<svg id="timeline"');
  });
  it('bad input exits 2', async () => {
    writeFileSync(join(dir, 'bad.json'), '{');
    const r = await execa('npx', ['tsx', 'harness/cli.ts', 'report', join(dir, 'nope')], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toMatch(/^lab: .*nope\/result\.json does not exist$/);
  });
});
