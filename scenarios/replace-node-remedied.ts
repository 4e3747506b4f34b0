import type { Scenario } from '../harness/scenario/model.ts';
import type { ScenarioPlan } from '../harness/scenario/plan.ts';
import replaceNode, { replaceDiskPlan } from './replace-node.ts';

/**
 * replace-node done as k3s documents it ("Node password": delete the node from the cluster before
 * it rejoins under its name): while node-2 is off for its new disk, `kubectl delete node node-2`
 * removes the node and its password secret, and the reinstalled node joins again. node-2 is an
 * agent, so there is no etcd member to remove. (For a server, `kubectl delete node` is also what
 * k3s asks: its etcd member-management controller, k3s 1.21+ (rancher/rke2 #1818), removes the
 * deleted node's etcd member through the node's finalizer; a force-deleted node skips it and its
 * member must go by etcdctl: k3s discussion #14894. The double has no such controller.)
 */
const scenario: Scenario = {
  ...replaceNode,
  name: 'replace-node-remedied',
  description: 'replace-node, but node-2 is deleted from the cluster (kubectl delete node) before it reinstalls: it joins again under its old name',
  cluster: { token: 'lab-replace-node-remedied-token' },
  expect: { outcome: 'pass' },
};

export const plan: ScenarioPlan = replaceDiskPlan((t) => t.deleteNode('node-2'));

export default scenario;
