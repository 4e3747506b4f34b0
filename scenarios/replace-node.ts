import type { Scenario } from '../harness/scenario/model.ts';
import type { ScenarioPlan } from '../harness/scenario/plan.ts';
import { defaultNetwork } from '../harness/scenario/topology.ts';

/**
 * A reproducer of everyday edge work done the obvious way: node-2's disk fails, a new one goes
 * in, and the node PXE-installs itself again under its old name. k3s keeps each node name's
 * password (k3s docs, "Node password"): the reinstalled node made a new one, so the cluster
 * refuses it and its agent waits for ever, saying why (k3s #6054). node-2 is an agent: that is
 * where k3s enforces node passwords (for servers joining an HA cluster it is not effectively
 * enforced, k3s #4049, and the double does not invent it).
 */
const scenario: Scenario = {
  name: 'replace-node',
  description: 'node-1 a server, node-2 an agent; after both joined, node-2 gets a new empty disk and PXE-installs again under its old name: the cluster refuses its new node password',
  network: defaultNetwork,
  nodes: [
    { name: 'node-1', mac: '52:54:00:00:00:46', ip: '10.0.0.70', role: 'init' },
    { name: 'node-2', mac: '52:54:00:00:00:47', ip: '10.0.0.71', role: 'agent' },
  ],
  cluster: { token: 'lab-replace-node-token' },
  templates: { pxe: 'templates/ignite-pxe.yaml', boot: 'templates/ignite-boot.yaml' },
  expect: {
    outcome: 'fail',
    reasons: [
      {
        text: "the reinstalled node-2 is refused: the cluster still holds the old node-2's password (k3s \"Node password\"; delete the node first)",
        cause: { node: 'node-2', unit: 'k3s-agent.service', line: 'Node password rejected' },
      },
    ],
  },
};

/**
 * Both disks' scenario: join, then node-2's disk fails (power off), a new one goes in, power on,
 * and the node PXE-installs again; `whileOff` is what a person does meanwhile (delete the node).
 */
export function replaceDiskPlan(whileOff?: (t: Parameters<ScenarioPlan['run']>[0]) => Promise<void>): ScenarioPlan {
  return {
    assertions: ['k3s-in-opt-bin', 'all-nodes-joined', 'no-reinstall'],
    async run(t) {
      await t.bootAll();
      await t.waitForPhase('joined');
      for (const n of t.nodes) await t.waitForLine(n.name, /Finished k3s-install\.service/);
      await t.powerOff('node-2');
      await whileOff?.(t);
      await t.replaceDisk('node-2');
      await t.powerOn('node-2');
      await t.waitForPhase('joined', ['node-2']);
      if (whileOff) await t.waitForClusterHealthy();
    },
  };
}

export const plan: ScenarioPlan = replaceDiskPlan();

export default scenario;
