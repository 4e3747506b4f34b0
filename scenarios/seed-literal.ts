import type { Scenario, ScenarioNode } from '../harness/scenario/model.ts';
import type { ScenarioPlan } from '../harness/scenario/plan.ts';
import { defaultNetwork } from '../harness/scenario/topology.ts';

const seed = 'test/fixtures/seed';
const seedNode = (n: number, role: ScenarioNode['role']): ScenarioNode => ({
  name: `node-${n}`,
  mac: `52:54:00:00:00:${(0x45 + n).toString(16)}`,
  ip: `10.0.0.${69 + n}`,
  role,
  templates: { pxe: `${seed}/node-${n}-ignite-pxe.yaml`, boot: `${seed}/node-${n}-ignite-boot.yaml` },
});

/**
 * The seed's configs exactly as written (test/fixtures/seed/): roles say what the seed intends; the
 * configs do not achieve it. Expected to fail, for the reasons lint also reports.
 */
const scenario: Scenario = {
  name: 'seed-literal',
  description: "The seed document's configs as written, mistakes included",
  network: defaultNetwork,
  nodes: [seedNode(1, 'init'), seedNode(2, 'server'), seedNode(3, 'server')],
  // Unused by the seed's configs (they hard-code their tokens); required by the model.
  cluster: { token: 'unused-by-seed-configs' },
  templates: { pxe: `${seed}/node-1-ignite-pxe.yaml`, boot: `${seed}/node-1-ignite-boot.yaml` },
  expect: {
    outcome: 'fail',
    reasons: [
      { text: 'node-1 sets K3STOKEN and INSTALLK3S_EXEC, which install.sh does not read: no node runs --cluster-init', lint: 'cluster-init' },
      { text: 'node-1 token differs from node-2/node-3 (secretedgeclustertoken vs secret_edgecluster_token)', lint: 'token-mismatch' },
      { text: 'the three nodes do not form one cluster', assertion: 'all-nodes-joined' },
    ],
  },
};

/**
 * Boot everything, let every node get as far as installing k3s, then give the cluster a bounded
 * time to form: it cannot (no --cluster-init, two tokens), and the assertions say so by name.
 */
export const plan: ScenarioPlan = {
  assertions: ['usr-local-bin-read-only', 'k3s-in-opt-bin', 'all-nodes-joined', 'no-reinstall'],
  async run(t) {
    await t.bootAll();
    await t.waitForPhase('k3s-install');
    await t.giveClusterTime(120_000);
  },
};

export default scenario;
