import type { Scenario } from '../harness/scenario/model.ts';
import type { ScenarioPlan } from '../harness/scenario/plan.ts';
import threeNodeHa from './three-node-ha.ts';

/**
 * A poor edge network: from each node's first boot from disk until the cluster formed, its link
 * drops 5 % of the packets towards it and delays them by 40 ms (the delay needs sch_netem; a
 * kernel without it gets the loss alone, and the run says so). install.sh, the k3s download
 * and etcd's join all run over that link; TCP's retransmissions are expected to carry them.
 */
const scenario: Scenario = {
  ...threeNodeHa,
  name: 'flaky-links',
  description: 'three-node-ha with 5 % loss and 40 ms delay on every node\'s link from its first disk boot until joined',
};

export const plan: ScenarioPlan = {
  assertions: ['usr-local-bin-read-only', 'k3s-in-opt-bin', 'all-nodes-joined', 'no-reinstall'],
  async run(t) {
    await t.bootAll();
    await t.waitForPhase('rebooted');
    for (const n of t.nodes) await t.degradeLink(n.name, { lossPercent: 5, delayMs: 40 });
    await t.waitForPhase('joined');
    for (const n of t.nodes) await t.restoreLink(n.name);
  },
};

export default scenario;
