import { describe, expect, it } from 'vitest';
import { runLabScenario } from '../../harness/scenario/labRun.ts';

/**
 * `npm run scenario single-node` end to end: PXE, install, first boot, install.sh, K3s, join — real
 * dnsmasq, pxelinux, Ignition, systemd, etcd, QEMU (TCG), the lab OS and the K3s double.
 */
// Its flow is covered in `npm test` by the main job and the single-node fault scenarios; long.
describe.skipIf(!process.env.LAB_E2E_LONG)('scenario single-node', () => {
  it('passes every assertion and writes its report', async () => {
    const outcome = await runLabScenario({ scenario: 'single-node', progress: { write: (t) => process.stdout.write(t), isTTY: false } });
    if (outcome.kind === 'preflight') throw new Error(outcome.problems.map((p) => `${p.what} (${p.fix})`).join('; '));
    const { result, reportPath } = outcome;
    console.log(`single-node: ${result.outcome} in ${Math.round(result.durationMs / 1000)} s — ${reportPath}`);
    for (const n of result.nodes) console.log(`  ${n.name}: ${n.marks.map((m) => `${m.phase}@${Math.round(m.offsetMs / 1000)}s`).join(' ')}`);
    expect(result.error, result.error).toBeUndefined();
    for (const a of result.assertions) expect(a.ok, `${a.name}:\n${a.detail}`).toBe(true);
    expect(result.nodes.every((n) => n.phase === 'joined')).toBe(true);
    expect(result.outcome).toBe('pass');
  });
});
