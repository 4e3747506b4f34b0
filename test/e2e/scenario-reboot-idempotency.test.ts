import { describe, expect, it } from 'vitest';
import { runLabScenario } from '../../harness/scenario/labRun.ts';

/**
 * three-node-ha, then each node rebooted twice, one at a time. Long (~20 min under TCG); runs in
 * `npm test` when LAB_E2E_LONG=1, or on its own:
 *   LAB_E2E_LONG=1 npx vitest run --project e2e test/e2e/scenario-reboot-idempotency.test.ts
 */
describe.skipIf(!process.env.LAB_E2E_LONG)('scenario reboot-idempotency', () => {
  it('passes: k3s-install ran on the first boot only, no reinstall, the cluster came back each time', async () => {
    const outcome = await runLabScenario({ scenario: 'reboot-idempotency', progress: { write: (t) => process.stdout.write(t), isTTY: false } });
    if (outcome.kind === 'preflight') throw new Error(outcome.problems.map((p) => p.what).join('; '));
    const { result, reportPath } = outcome;
    console.log(`reboot-idempotency: ${result.outcome} in ${Math.round(result.durationMs / 1000)} s — ${reportPath}`);
    expect(result.error, result.error).toBeUndefined();
    for (const a of result.assertions) expect(a.ok, `${a.name}:\n${a.detail}`).toBe(true);
    expect(result.steps.filter((s) => s.name.startsWith('reboot '))).toHaveLength(6);
    for (const n of result.nodes) expect(n.boots).toHaveLength(4);
  }, 60 * 60_000);
});
