import type { Scenario } from '../harness/scenario/model.ts';
import type { ScenarioPlan } from '../harness/scenario/plan.ts';
import singleNode from './single-node.ts';

/**
 * The boot infrastructure fails under a first boot: the mirror answers 503 to the next 20
 * requests for install.sh, which Ignition fetches on the node's first boot from disk. Ignition
 * retries a 5xx for ever with a backoff doubling from 100 ms to 5 s (Ignition's operator notes,
 * "HTTP Backoff and Retry"), so the node waits in its initramfs and carries on once the mirror
 * serves again: the install completes, about 20 × 5 s late.
 */
const scenario: Scenario = {
  ...singleNode,
  name: 'mirror-outage',
  description: 'single-node while the mirror answers 503 to the next 20 requests for install.sh: Ignition retries, the install completes late',
};

export const plan: ScenarioPlan = {
  assertions: ['usr-local-bin-read-only', 'k3s-in-opt-bin', 'all-nodes-joined', 'no-reinstall', 'mirror-fault-met'],
  async run(t) {
    await t.mirrorFault('/k3s/install.sh', 503, 20);
    await t.bootAll();
    await t.waitForPhase('joined');
  },
};

export default scenario;
