import type { Scenario } from '../harness/scenario/model.ts';
import type { ScenarioPlan } from '../harness/scenario/plan.ts';
import singleNode from './single-node.ts';

/**
 * A reproducer for the seed's guard (ConditionPathExists=!/opt/bin/k3s): power is cut inside
 * install.sh, when it prints "systemd: Creating service file" — the binary was moved to /opt/bin a
 * few seconds before, and k3s.service is being written but not yet enabled or started. Measured
 * here (twice): /opt/bin/k3s survives the cut as an EMPTY file (sha256 e3b0c442…: ext4 committed
 * the rename, the delayed-allocation data never reached the disk), so the next boot skips
 * k3s-install.service by that very guard, no k3s.service ever runs, and no later boot changes
 * that: the node is lost to the cluster until someone deletes the file. The project's templates
 * guard on a stamp written after a sync instead (power-cut-during-k3s-install-fixed).
 */
const scenario: Scenario = {
  name: 'power-cut-during-k3s-install',
  description: "The seed's !/opt/bin/k3s guard, power cut inside install.sh between placing the binary and starting k3s.service: /opt/bin/k3s is left empty and the node never installs k3s again",
  network: singleNode.network,
  nodes: singleNode.nodes,
  cluster: { token: 'lab-power-cut-token' },
  templates: { pxe: singleNode.templates.pxe, boot: 'scenarios/configs/ignite-boot-binary-guard.yaml' },
  expect: {
    outcome: 'fail',
    reasons: [
      {
        text: 'the boot after the cut skips k3s-install.service by its own guard: /opt/bin/k3s survived the cut',
        line: { node: 'node-1', text: 'skipped because of an unmet condition check (ConditionPathExists=!/opt/bin/k3s)' },
      },
      { text: '/opt/bin/k3s survived as an empty file (the rename reached the disk, the data did not)', assertion: 'k3s-in-opt-bin', detail: 'sha256 e3b0c44298fc' },
      { text: 'k3s.service never runs, so the node never joins', assertion: 'all-nodes-joined' },
      { text: 'lint warned about it before the run', lint: 'guard-survives-power-cut' },
    ],
  },
};

export const plan: ScenarioPlan = {
  assertions: ['usr-local-bin-read-only', 'k3s-in-opt-bin', 'all-nodes-joined', 'no-reinstall'],
  async run(t) {
    await t.bootAll();
    await t.powerCutAt('node-1', { line: /systemd: Creating service file/ }, { offMs: 5_000 });
    await t.waitForLine('node-1', /k3s-install\.service.* skipped because of an unmet condition check|Starting k3s-install\.service/, { sinceBoot: 'current' });
    // Give a k3s that might still come up a minute; the assertions say what the node ended as.
    await t.giveClusterTime(60_000);
  },
};

export default scenario;
