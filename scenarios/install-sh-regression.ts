import type { Scenario } from '../harness/scenario/model.ts';
import singleNode from './single-node.ts';

/**
 * A reproducer: k3s PR #13712 made install.sh stop treating Flatcar (ID_LIKE=coreos) as CoreOS,
 * so on Flatcar it looks for the k3s-selinux policy it cannot install and aborts; PR #14552 fixed
 * it. One node, the install.sh fixture in its #13712 mode. Green when the run fails for exactly
 * that reason; give another install.sh (`--install-sh REF|PATH`) to test a real revision: a fixed
 * one passes, which a reproducer reports as red.
 */
const scenario: Scenario = {
  name: 'install-sh-regression',
  description: "install.sh as k3s PR #13712 left it: aborts on Flatcar for want of the k3s-selinux policy",
  network: singleNode.network,
  nodes: singleNode.nodes,
  templates: singleNode.templates,
  cluster: { token: 'lab-install-sh-regression-token' },
  installSh: 'fixture:pr13712',
  expect: {
    outcome: 'fail',
    reasons: [
      {
        text: "install.sh aborts on Flatcar: \"Failed to find the k3s-selinux policy\" (k3s PR #13712)",
        cause: { node: 'node-1', unit: 'k3s-install.service', line: 'Failed to find the k3s-selinux policy' },
      },
    ],
  },
};

export default scenario;
