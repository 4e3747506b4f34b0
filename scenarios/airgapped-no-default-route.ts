import type { Scenario } from '../harness/scenario/model.ts';
import singleNode from './single-node.ts';

/**
 * A reproducer: an air-gapped segment with no router at all (DHCP gives no default route). k3s's
 * server picks its address from the default route and cannot, so it exits at once with the
 * apiserver's error (k3s issues #1144, #6265; the air-gap docs: "a default route must be
 * configured"), install.sh's `systemctl restart k3s` fails, and so does k3s-install.service.
 * airgapped-blackhole-route is the same segment with the documented fix.
 */
const scenario: Scenario = {
  name: 'airgapped-no-default-route',
  description: 'single-node on a segment without a router: k3s cannot pick its address and exits ("no default routes found")',
  network: { ...singleNode.network, defaultRoute: false },
  nodes: singleNode.nodes,
  cluster: { token: 'lab-airgapped-token' },
  templates: singleNode.templates,
  expect: {
    outcome: 'fail',
    reasons: [
      {
        text: "k3s exits: the apiserver finds no default route to take its address from (k3s #1144)",
        cause: { node: 'node-1', unit: 'k3s-install.service', line: "unable to find suitable network address.error='no default routes found in" },
      },
    ],
  },
};

export default scenario;
