import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateRunKey } from '../../harness/guest/ssh.ts';
import { Lab } from '../../harness/lab/lab.ts';
import { ReportDir } from '../../harness/report/reportDir.ts';
import { LabMachine } from '../../harness/scenario/labMachine.ts';
import type { ScenarioPlan } from '../../harness/scenario/plan.ts';
import { NetnsAccess } from '../../harness/scenario/probe/netnsAccess.ts';
import { runScenario } from '../../harness/scenario/runner.ts';
import { pxeFixture, topologyOf } from './support/pxeFixture.ts';

const topology = topologyOf(1);
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/**
 * The runner against the real lab (namespace, dnsmasq, pxelinux, mirror) and a real QEMU machine
 * that PXE-boots a busybox initramfs: phases come from the real dnsmasq and mirror logs, the
 * console from the real serial file, the report from all of them.
 */
describe('runner on a real lab with a PXE-booted VM', () => {
  it('observes dhcp and pxe-config from the real services and reports them', async () => {
    const marker = `RUNNER-PXE-${process.pid}`;
    const fx = await pxeFixture(topology, marker, 'stay');
    cleanups.push(() => rmSync(fx.dir, { recursive: true, force: true }));
    const lab = await Lab.up({ topology, tftpRoot: fx.tftpRoot, mirrorMounts: fx.mounts, logDir: join(fx.dir, 'logs') });
    cleanups.push(() => lab.down());
    const key = generateRunKey();
    const access = new NetnsAccess((cmd, args) => lab.inside(cmd, args), key.privateKey, topology.nodes[0]!);
    cleanups.push(() => access.close());
    const reportPath = mkdtempSync(join(tmpdir(), 'runner-pxe-report-'));
    cleanups.push(() => rmSync(reportPath, { recursive: true, force: true }));
    const plan: ScenarioPlan = {
      assertions: ['no-reinstall', 'all-nodes-joined'],
      async run(t) {
        await t.bootAll();
        await t.waitForPhase('pxe-config');
        await t.waitForConsole('node-1', new RegExp(marker), { baseTimeoutMs: 120_000 });
      },
    };
    const out: string[] = [];
    const result = await runScenario({
      scenario: { name: 'runner-pxe', nodes: topology.nodes },
      plan,
      machines: topology.nodes.map((n) => new LabMachine(lab, n, { accel: 'tcg', memoryMiB: 512, dir: fx.dir })),
      access,
      logs: { dnsmasq: lab.dnsmasqLog, mirror: lab.accessLog },
      report: new ReportDir(reportPath, []),
      accel: { accel: 'tcg', reason: 'test' },
      scale: 1,
      artifacts: [],
      configs: [],
      progress: { write: (t) => out.push(t), isTTY: false },
    });
    console.log(out.join(''));
    expect(result.error).toBeUndefined();
    const node = result.nodes[0]!;
    expect(node.marks.map((m) => m.phase)).toEqual(expect.arrayContaining(['dhcp', 'pxe-config']));
    expect(node.marks.find((m) => m.phase === 'dhcp')!.evidence).toBe('DHCPACK 10.0.0.70 to 52:54:00:00:00:46');
    expect(node.marks.find((m) => m.phase === 'pxe-config')!.evidence).toMatch(/TFTP sent pxelinux\.cfg\/0A000046|GET \/flatcar\/amd64-usr\/.*flatcar_production_pxe/);
    expect(result.assertions.find((a) => a.name === 'no-reinstall')).toMatchObject({ ok: true });
    // No k3s here: the API cannot be read, and the assertion says so through the probe process.
    expect(result.assertions.find((a) => a.name === 'all-nodes-joined')!.detail).toMatch(/the API could not be read: .*10\.0\.0\.70/);
    expect(result.outcome).toBe('fail');
    expect(readFileSync(join(reportPath, 'logs/dnsmasq.log'), 'utf8')).toContain('DHCPACK');
    expect(readFileSync(join(reportPath, 'logs/mirror-access.log'), 'utf8')).toContain('flatcar_production_pxe.vmlinuz');
    expect(readFileSync(join(reportPath, 'report.html'), 'utf8')).toContain('<svg id="timeline"');
  });
});
