import type { Scenario } from '../harness/scenario/model.ts';
import type { ScenarioPlan } from '../harness/scenario/plan.ts';
import threeNodeHa from './three-node-ha.ts';

/**
 * An unstable site supply: after the cluster formed, every node loses power at once for 30 s,
 * power returns, and while the cluster is still coming back it fails again for 10 s (a flicker).
 * The cluster must recover by itself; install.sh must not run again and nothing may reinstall.
 */
const scenario: Scenario = {
  ...threeNodeHa,
  name: 'site-power-outage',
  description: 'three-node-ha, then the whole site loses power for 30 s, comes back, flickers off for 10 s while recovering, and comes back again',
};

export const plan: ScenarioPlan = {
  assertions: ['k3s-in-opt-bin', 'k3s-install-ran-once', 'all-nodes-joined', 'no-reinstall', 'cluster-recovers'],
  async run(t) {
    await t.bootAll();
    await t.waitForPhase('joined');
    // A node joins before install.sh returns: cut only once every k3s-install.service finished
    // (and wrote its stamp), or the next boot rightly installs again and ran-once is moot.
    for (const n of t.nodes) await t.waitForLine(n.name, /Finished k3s-install\.service/);
    await t.powerOutage({ offMs: 30_000 });
    // Power back: the guests are in their boot loaders and initramfs when it goes again.
    await t.pause(20_000);
    await t.powerOutage({ offMs: 10_000 });
    await t.waitForRecovery();
  },
};

export default scenario;
