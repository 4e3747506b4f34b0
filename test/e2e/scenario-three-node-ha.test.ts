import { describe, expect, it } from 'vitest';
import { runLabScenario } from '../../harness/scenario/labRun.ts';

/**
 * `npm run scenario three-node-ha` end to end: PXE, install, first boot, install.sh, K3s, join — real
 * dnsmasq, pxelinux, Ignition, systemd, etcd, QEMU (TCG), the lab OS and the K3s double.
 */
describe('scenario three-node-ha', () => {
  it('passes every assertion and writes its report', async () => {
    const outcome = await runLabScenario({ scenario: 'three-node-ha', progress: { write: (t) => process.stdout.write(t), isTTY: false } });
    if (outcome.kind === 'preflight') throw new Error(outcome.problems.map((p) => `${p.what} (${p.fix})`).join('; '));
    const { result, reportPath } = outcome;
    console.log(`three-node-ha: ${result.outcome} in ${Math.round(result.durationMs / 1000)} s — ${reportPath}`);
    for (const n of result.nodes) console.log(`  ${n.name}: ${n.marks.map((m) => `${m.phase}@${Math.round(m.offsetMs / 1000)}s`).join(' ')}`);
    expect(result.error, result.error).toBeUndefined();
    for (const a of result.assertions) expect(a.ok, `${a.name}:\n${a.detail}`).toBe(true);
    expect(result.nodes.every((n) => n.phase === 'joined')).toBe(true);
    expect(result.outcome).toBe('pass');
  });
});
