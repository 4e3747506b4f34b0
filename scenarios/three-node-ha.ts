import type { Scenario } from '../harness/scenario/model.ts';
import type { ScenarioPlan } from '../harness/scenario/plan.ts';
import { defaultNetwork } from '../harness/scenario/topology.ts';

/** The seed's HA cluster done right: node-1 starts embedded etcd, node-2 and node-3 join it. */
const scenario: Scenario = {
  name: 'three-node-ha',
  description: 'Three K3s servers with embedded etcd: node-1 --cluster-init, node-2/3 --server https://10.0.0.70:6443; then the whole site loses power and comes back',
  network: defaultNetwork,
  nodes: [
    { name: 'node-1', mac: '52:54:00:00:00:46', ip: '10.0.0.70', role: 'init' },
    { name: 'node-2', mac: '52:54:00:00:00:47', ip: '10.0.0.71', role: 'server' },
    { name: 'node-3', mac: '52:54:00:00:00:48', ip: '10.0.0.72', role: 'server' },
  ],
  cluster: { token: 'lab-edge-cluster-token' },
  templates: { pxe: 'templates/ignite-pxe.yaml', boot: 'templates/ignite-boot.yaml' },
  expect: { outcome: 'pass' },
};

/**
 * Install and join, then the commonest edge event: the whole site loses power at once and it
 * comes back. The cluster must recover by itself, and no node may run install.sh again.
 */
export const plan: ScenarioPlan = {
  assertions: ['usr-local-bin-read-only', 'k3s-in-opt-bin', 'k3s-install-ran-once', 'all-nodes-joined', 'no-reinstall', 'cluster-recovers'],
  async run(t) {
    await t.bootAll();
    await t.waitForPhase('joined');
    // A node joins before install.sh returns: cut only once every k3s-install.service finished
    // (and wrote its stamp), or the next boot rightly installs again and ran-once is moot.
    for (const n of t.nodes) await t.waitForLine(n.name, /Finished k3s-install\.service/);
    await t.powerOutage({ offMs: 10_000 });
    await t.waitForRecovery();
  },
};

export default scenario;
