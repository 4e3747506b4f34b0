import type { Scenario } from '../harness/scenario/model.ts';
import airgapped from './airgapped-no-default-route.ts';
import singleNode from './single-node.ts';

/**
 * airgapped-no-default-route with the documented fix: the boot-stage config gives the node a
 * black-hole default route (scenarios/configs/ignite-boot-airgap-route.yaml), so k3s picks the
 * LAN address and the node installs and joins, with nothing able to leave the segment.
 */
const scenario: Scenario = {
  name: 'airgapped-blackhole-route',
  description: 'single-node on a segment without a router, with a black-hole default route written by Ignition: k3s starts',
  network: airgapped.network,
  nodes: singleNode.nodes,
  cluster: { token: 'lab-airgapped-route-token' },
  templates: { pxe: singleNode.templates.pxe, boot: 'scenarios/configs/ignite-boot-airgap-route.yaml' },
  expect: { outcome: 'pass' },
};

export default scenario;
