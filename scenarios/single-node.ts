import type { Scenario } from '../harness/scenario/model.ts';
import { defaultNetwork } from '../harness/scenario/topology.ts';

/** One K3s server (embedded etcd, --cluster-init): the shortest path through the whole flow. */
const scenario: Scenario = {
  name: 'single-node',
  description: 'One K3s server with embedded etcd (--cluster-init)',
  network: defaultNetwork,
  nodes: [{ name: 'node-1', mac: '52:54:00:00:00:46', ip: '10.0.0.70', role: 'init' }],
  cluster: { token: 'lab-single-node-token' },
  templates: { pxe: 'templates/ignite-pxe.yaml', boot: 'templates/ignite-boot.yaml' },
  expect: { outcome: 'pass' },
};

export default scenario;
