import type { Scenario } from '../harness/scenario/model.ts';
import type { ScenarioPlan } from '../harness/scenario/plan.ts';
import threeNodeHa from './three-node-ha.ts';

/**
 * A site's uplink to one node fails: after the cluster formed, node-3 is cut off from node-1 and
 * node-2 (the lab server still reaches everyone). node-1/2 keep etcd's quorum (2 of 3), so the
 * API keeps answering; node-3 reads NotReady, and is Ready again once the partition heals.
 */
const scenario: Scenario = {
  ...threeNodeHa,
  name: 'partition-heal',
  description: 'three-node-ha, then node-3 partitioned from node-1/2: the API keeps answering (quorum 2 of 3), node-3 goes NotReady, and comes back when the partition heals',
};

export const plan: ScenarioPlan = {
  assertions: ['all-nodes-joined', 'no-reinstall', 'cluster-recovers', 'api-kept-answering'],
  async run(t) {
    await t.bootAll();
    await t.waitForPhase('joined');
    await t.partition(['node-1', 'node-2'], ['node-3']);
    await t.waitForNodeReady('node-3', false, 180_000);
    await t.pause(30_000);
    await t.heal();
    await t.waitForRecovery();
  },
};

export default scenario;
