import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatAvailability } from '../../harness/scenario/availability.ts';
import { runLabScenario } from '../../harness/scenario/labRun.ts';

/**
 * The edge-reality scenarios end to end: each must end as its scenario file expects (a pass, or
 * a reproduced expected failure). power-cut-during-install (the cheapest fault scenario: ~135 s,
 * it stops at its first terminal event) runs in `npm test`, beside the main job's own site power
 * cut and the install-sh-regression reproducer. The rest are long and run with LAB_E2E_LONG=1
 * (each has run here: figures in the closing notes of issue 11). site-power-outage went long at
 * stop 22, when CI took 74 min on a slow machine: three nodes and two cuts, repeating the main
 * job's cut with a flicker added.
 *   LAB_E2E_LONG=1 npx vitest run --project e2e test/e2e/scenario-faults.test.ts -t partition-heal
 */
const scenarios: { name: string; long: boolean; faults?: false }[] = [
  { name: 'site-power-outage', long: true },
  { name: 'power-cut-during-install', long: false },
  { name: 'power-cut-during-k3s-install-fixed', long: true },
  { name: 'power-cut-during-k3s-install', long: true },
  { name: 'partition-heal', long: true },
  { name: 'mirror-outage', long: true },
  { name: 'flaky-links', long: true },
  // The segment itself is the fault: no fault steps.
  { name: 'airgapped-no-default-route', long: true, faults: false },
  { name: 'airgapped-blackhole-route', long: true, faults: false },
  { name: 'replace-node', long: true },
  { name: 'replace-node-remedied', long: true },
];

describe('edge-reality scenarios', () => {
  for (const s of scenarios) {
    it.skipIf(s.long && !process.env.LAB_E2E_LONG)(`${s.name} ends as it expects`, async () => {
      // What these scenarios do happens after the install, except where the PXE stage is the scene:
      // the rest start from installs an earlier run kept (in CI, the main job's), when they match.
      const reuseInstall = s.name !== 'power-cut-during-install';
      const outcome = await runLabScenario({ scenario: s.name, reuseInstall, progress: { write: (t) => process.stdout.write(t), isTTY: false } });
      if (outcome.kind === 'preflight') throw new Error(outcome.problems.map((p) => `${p.what} (${p.fix})`).join('; '));
      const { result, reportPath } = outcome;
      console.log(`${s.name}: ${result.verdict.summary} in ${Math.round(result.durationMs / 1000)} s — ${reportPath}`);
      if (result.availability) console.log(`  API: ${formatAvailability(result.availability)}`);
      for (const n of result.nodes) console.log(`  ${n.name}: first boot ${n.boots[0]?.how}`);
      for (const f of result.steps.filter((x) => x.fault)) console.log(`  fault at ${Math.round(f.offsetMs / 1000)} s: ${f.name}`);
      // CI keeps no report folder: a failure carries what the report would show first (the failed
      // step's whole error, with the node's last console lines) and the run's last observations.
      const failedSteps = result.steps.filter((x) => !x.ok && x.error).map((x) => `step ${x.name}: ${x.error}`);
      const observations = join(dirname(reportPath), 'logs', 'observations.jsonl');
      const lastSeen = existsSync(observations) ? readFileSync(observations, 'utf8').trim().split('\n').slice(-12) : [];
      expect(result.verdict.ok, [result.verdict.summary, ...failedSteps, ...result.assertions.filter((a) => !a.ok).map((a) => `${a.name}:\n${a.detail}`), 'last observations:', ...lastSeen].join('\n')).toBe(true);
      if (s.faults !== false) expect(result.steps.some((x) => x.fault)).toBe(true);
    }, 40 * 60_000);
  }
});
