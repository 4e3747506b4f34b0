import type { Scenario } from '../harness/scenario/model.ts';
import type { ScenarioPlan } from '../harness/scenario/plan.ts';
import threeNodeHa from './three-node-ha.ts';

/** three-node-ha, then every node rebooted twice, one at a time; the cluster stays or comes back healthy. */
const scenario: Scenario = {
  ...threeNodeHa,
  name: 'reboot-idempotency',
  description: 'three-node-ha, then each node rebooted twice, one at a time: k3s-install.service runs on the first boot only, nothing reinstalls, the cluster comes back',
};

export const plan: ScenarioPlan = {
  assertions: ['usr-local-bin-read-only', 'k3s-in-opt-bin', 'k3s-install-ran-once', 'all-nodes-joined', 'no-reinstall'],
  async run(t) {
    await t.bootAll();
    await t.waitForPhase('joined');
    for (let round = 1; round <= 2; round++) {
      for (const node of t.nodes) {
        await t.reboot(node.name);
        await t.waitForClusterHealthy();
      }
    }
  },
};

export default scenario;
