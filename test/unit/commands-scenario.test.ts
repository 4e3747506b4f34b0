import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const lab = (args: string[], env: Record<string, string> = {}) => execa('npx', ['tsx', 'harness/cli.ts', 'scenario', ...args], { reject: false, env });

describe('lab scenario: bad input exits 2 with one line, nothing started', () => {
  it('unknown scenario', async () => {
    const r = await lab(['no-such-scenario']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toMatch(/^lab: unknown scenario 'no-such-scenario' \(known: .*three-node-ha.*\)$/);
  });
  it('a bad --timeout-scale', async () => {
    const r = await lab(['single-node', '--timeout-scale', '0']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe("lab: --timeout-scale must be a positive number, not '0'");
  });
  it('an unknown option', async () => {
    const r = await lab(['single-node', '--frobnicate']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe("lab: unknown option '--frobnicate' (see: lab scenario --help)");
  });
  it('--reuse-install for a scenario that acts on the PXE stage it would skip', async () => {
    const r = await lab(['power-cut-during-install', '--reuse-install']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe('lab: --reuse-install skips the PXE stage, and power-cut-during-install cuts the power while flatcar-install writes the disk: run it without --reuse-install');
  });
  it('a lab OS directory that lacks the release files', async () => {
    const r = await lab(['single-node'], { LAB_OS_DIR: '/nonexistent/release' });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toMatch(/^lab: LAB_OS_DIR: \/nonexistent\/release lacks .*flatcar_production_pxe\.vmlinuz.* \(build it: npm run lab -- images build\)$/);
  });
});
