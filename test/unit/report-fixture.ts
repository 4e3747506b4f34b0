import type { RunResult } from '../../harness/report/result.ts';

/** A plausible finished three-node run, for report tests: node-3 failed one assertion. */
export function sampleResult(over: Partial<RunResult> = {}): RunResult {
  const mark = (phase: string, s: number, evidence: string, boot?: number) => ({ phase: phase as never, offsetMs: s * 1000, evidence, ...(boot ? { boot } : {}) });
  const node = (i: number, shift: number) => ({
    name: `node-${i}`,
    ip: `10.0.0.${69 + i}`,
    mac: `52:54:00:00:00:4${5 + i}`,
    role: (i === 1 ? 'init' : 'server') as 'init' | 'server',
    phase: 'joined' as const,
    marks: [
      mark('dhcp', 9 + shift, 'DHCPACK'),
      mark('pxe-config', 10 + shift, 'TFTP sent pxelinux.cfg'),
      mark('live', 60 + shift, 'GET /ignition/node-ignite-pxe.ign 200'),
      mark('installing', 95 + shift, 'GET flatcar_production_image.bin.bz2'),
      mark('rebooted', 170 + shift, 'VM started from disk', 2),
      mark('first-boot', 195 + shift, 'GET /k3s/install.sh', 2),
      mark('k3s-install', 215 + shift, 'GET /k3s/releases/download/v1.31.4+k3s1/k3s', 2),
      mark('k3s-ready', 240 + shift, 'Started k3s.service', 2),
      mark('joined', 262 + shift, 'API: Ready', 2),
    ],
    boots: [
      { boot: 1, offsetMs: 0, how: 'power on (empty disk, PXE)' },
      { boot: 2, offsetMs: (170 + shift) * 1000, how: 'installer rebooted' },
    ],
    consoleLogs: [`logs/node-${i}.boot1.console.log`, `logs/node-${i}.boot2.console.log`],
  });
  return {
    scenario: 'three-node-ha',
    description: 'Three servers with embedded etcd, installed by PXE.',
    startedAt: '2026-11-25T18:30:00.000Z',
    finishedAt: '2026-11-25T18:35:00.000Z',
    durationMs: 300_000,
    outcome: 'fail',
    expected: 'pass',
    verdict: { kind: 'failed', ok: false, summary: 'FAIL', reasons: [] },
    consequences: ['no-reinstall: node-3: FAIL — pxelinux.cfg/0A000048 fetched 2×'],
    terminalEvents: [],
    accel: { accel: 'tcg', reason: 'KVM probe hung (guests would hang): using TCG' },
    timeoutScale: 1.63,
    artifacts: [
      { name: 'lab OS', source: 'lab build 4081.0.0 (stand-in for Flatcar)', sha256: 'c'.repeat(64) },
      { name: 'k3s', source: 'K3s double v1.31.4+k3s1', sha256: 'a'.repeat(64) },
      { name: 'install.sh', source: 'fixture', sha256: 'b'.repeat(64) },
    ],
    nodes: [node(1, 0), node(2, 4), node(3, 8)],
    steps: [
      { name: 'boot all nodes', offsetMs: 0, durationMs: 1200, ok: true },
      { name: 'wait for joined', offsetMs: 1200, durationMs: 268_000, ok: true },
    ],
    assertions: [
      { name: 'usr-local-bin-read-only', ok: true, detail: 'node-1: ok — touch over SSH: Read-only file system' },
      { name: 'k3s-in-opt-bin', ok: true, detail: 'node-1: ok' },
      { name: 'all-nodes-joined', ok: true, detail: 'node-1: ok — Ready' },
      { name: 'no-reinstall', ok: false, detail: 'node-3: FAIL — pxelinux.cfg/0A000048 fetched 2×' },
    ],
    diagnosis: [],
    files: { dnsmasqLog: 'logs/dnsmasq.log', mirrorLog: 'logs/mirror-access.log', configs: ['configs/node-1-ignite-boot.ign'] },
    ...over,
  };
}
