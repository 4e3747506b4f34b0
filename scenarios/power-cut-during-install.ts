import type { Scenario } from '../harness/scenario/model.ts';
import type { ScenarioPlan } from '../harness/scenario/plan.ts';
import singleNode from './single-node.ts';

/**
 * A power cut while flatcar-install writes the disk (20 s after it began writing; decompressing and writing takes about a minute here):
 * power returns and the machine does what its firmware does with a half-written disk.
 */
const scenario: Scenario = {
  ...singleNode,
  name: 'power-cut-during-install',
  description: 'single-node, power cut 20 s after flatcar-install began writing /dev/sda, power back after 5 s',
};

export const plan: ScenarioPlan = {
  assertions: ['usr-local-bin-read-only', 'k3s-in-opt-bin', 'all-nodes-joined'],
  async run(t) {
    await t.bootAll();
    await t.powerCutAt('node-1', { line: /^Writing \S+\.bin\.bz2 to \/dev\/sda/ }, { afterMs: 20_000, offMs: 5_000 });
    await t.waitForPhase('joined');
  },
};

export default scenario;
