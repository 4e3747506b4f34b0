import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ownedTempDir } from '../../harness/lab/tempDirs.ts';
import type { RunResult } from '../../harness/report/result.ts';
import { runLabScenario } from '../../harness/scenario/labRun.ts';

/**
 * --reuse-install end to end, in an installs dir of its own: a cold single-node run keeps
 * node-1's disk as flatcar-install left it; a second run with --reuse-install starts node-1
 * from an overlay of it with its own boot-stage config in OEM/config.ign, so the first disk
 * boot's Ignition, install.sh and the join run for real while the PXE stage does not run at all.
 * Two full runs (~4.5 min + ~1.5 min here): long.
 */
let installs = '';
afterAll(() => {
  if (installs) rmSync(installs, { recursive: true, force: true });
});

async function run(reuseInstall: boolean, lines: string[]): Promise<{ result: RunResult; reportPath: string }> {
  const outcome = await runLabScenario({ scenario: 'single-node', reuseInstall, progress: { write: (t) => (lines.push(t), process.stdout.write(t)), isTTY: false } });
  if (outcome.kind === 'preflight') throw new Error(outcome.problems.map((p) => `${p.what} (${p.fix})`).join('; '));
  return outcome;
}

describe.skipIf(!process.env.LAB_E2E_LONG)('--reuse-install (single-node, cold then warm)', () => {
  it('keeps the install, then skips the PXE stage and still runs Ignition, install.sh and the join', async () => {
    installs = ownedTempDir('installs-e2e');
    const saved = process.env.LAB_INSTALLS_DIR;
    process.env.LAB_INSTALLS_DIR = installs;
    try {
      const coldLines: string[] = [];
      const cold = await run(true, coldLines);
      expect(cold.result.outcome, cold.result.error).toBe('pass');
      expect(cold.result.artifacts.find((a) => a.name === "node-1's installed disk")?.source).toMatch(/^not cached yet \(install [0-9a-f]{24}\)/);
      expect(coldLines.join('')).toContain(`kept node-1's install in ${installs}`);
      const keys = readdirSync(installs).filter((n) => /^[0-9a-f]{24}$/.test(n));
      expect(keys).toHaveLength(1);

      const warmLines: string[] = [];
      const warm = await run(true, warmLines);
      const ratio = warm.result.durationMs / cold.result.durationMs;
      console.log(`reuse-install: cold ${(cold.result.durationMs / 1000).toFixed(0)} s, warm ${(warm.result.durationMs / 1000).toFixed(0)} s, warm/cold ${ratio.toFixed(2)}`);
      for (const a of warm.result.assertions) expect(a.ok, `${a.name}:\n${a.detail}`).toBe(true);
      expect(warm.result.outcome).toBe('pass');
      const node = warm.result.nodes[0]!;
      expect(node.boots[0]!.how).toBe('power on (a cached install: boots from disk)');
      expect(node.marks.map((m) => m.phase).filter((p) => ['pxe-config', 'live'].includes(p))).toEqual([]);
      expect(node.marks.find((m) => m.phase === 'installing')?.evidence).toContain(`PXE stage reused (--reuse-install): install ${keys[0]}`);
      // Ignition's first boot, install.sh and the join, all in the one boot from the cached install.
      expect(node.boots).toHaveLength(1);
      expect(node.marks.map((m) => m.phase)).toEqual(expect.arrayContaining(['first-boot', 'k3s-install', 'k3s-ready', 'joined']));
      // Nothing of the PXE stage was served: no pxelinux config, kernel, initrd or disk image.
      const access = readFileSync(join(warm.reportPath, 'logs/mirror-access.log'), 'utf8');
      expect(access).not.toMatch(/flatcar_production_(pxe|image)/);
      expect(access).toMatch(/GET \/k3s\/install\.sh 200/);
      expect(readFileSync(join(warm.reportPath, 'logs/dnsmasq.log'), 'utf8')).not.toMatch(/sent \S+pxelinux\.cfg/);
      expect(warm.result.assertions.find((a) => a.name === 'no-reinstall')?.detail).toContain('PXE stage reused (--reuse-install)');
      expect(ratio).toBeLessThan(0.6);
      // The reused install was not replaced by anything of the warm run (it installed nothing).
      expect(readdirSync(installs).filter((n) => n.startsWith('fkl-'))).toEqual([]);
      expect(existsSync(join(installs, keys[0]!, 'disk.qcow2'))).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.LAB_INSTALLS_DIR;
      else process.env.LAB_INSTALLS_DIR = saved;
    }
  }, 40 * 60_000);
});
