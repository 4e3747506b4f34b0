import type { Scenario } from '../harness/scenario/model.ts';
import type { ScenarioPlan } from '../harness/scenario/plan.ts';
import { defaultNetwork } from '../harness/scenario/topology.ts';

/**
 * The seed's guard (ConditionPathExists=!/opt/bin/k3s) against a power cut inside install.sh:
 * after the binary is in /opt/bin and before k3s.service is written and started — install.sh
 * prints "systemd: Creating service file" at the end of that window.
 */
const scenario: Scenario = {
  name: 'power-cut-during-k3s-install',
  description: "The seed's !/opt/bin/k3s guard, power cut inside install.sh between placing the binary and writing k3s.service",
  network: defaultNetwork,
  nodes: [{ name: 'node-1', mac: '52:54:00:00:00:46', ip: '10.0.0.70', role: 'init' }],
  cluster: { token: 'lab-power-cut-token' },
  templates: { pxe: 'templates/ignite-pxe.yaml', boot: 'scenarios/configs/ignite-boot-binary-guard.yaml' },
  expect: { outcome: 'pass' },
};

export const plan: ScenarioPlan = {
  assertions: ['usr-local-bin-read-only', 'k3s-in-opt-bin', 'all-nodes-joined', 'no-reinstall', 'cluster-recovers'],
  async run(t) {
    await t.bootAll();
    await t.powerCutAt('node-1', { line: /systemd: Creating service file/ }, { offMs: 5_000 });
    await t.giveClusterTime(300_000);
  },
};

export default scenario;
