import type { Scenario } from '../harness/scenario/model.ts';
import type { ScenarioPlan } from '../harness/scenario/plan.ts';
import cut from './power-cut-during-k3s-install.ts';

/**
 * The same power cut inside install.sh, with the project's templates: k3s-install.service is
 * guarded by a stamp its ExecStartPost= writes (after a sync) only once install.sh succeeded, so
 * the boot after the cut finds no stamp and runs install.sh again, and the node joins.
 */
const scenario: Scenario = {
  ...cut,
  name: 'power-cut-during-k3s-install-fixed',
  description: "The same cut inside install.sh with the project's stamp guard: the next boot installs again and the node joins",
  templates: { pxe: 'templates/ignite-pxe.yaml', boot: 'templates/ignite-boot.yaml' },
  expect: { outcome: 'pass' },
};

export const plan: ScenarioPlan = {
  assertions: ['usr-local-bin-read-only', 'k3s-in-opt-bin', 'all-nodes-joined', 'no-reinstall', 'cluster-recovers'],
  async run(t) {
    await t.bootAll();
    await t.powerCutAt('node-1', { line: /systemd: Creating service file/ }, { offMs: 5_000 });
    await t.waitForRecovery();
  },
};

export default scenario;
