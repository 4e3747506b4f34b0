/**
 * Runs inside a lab namespace (`ip netns exec <lan> tsx k3sProbe.ts …`) and prints JSON on stdout, so a test
 * on the host can use the real Kubernetes client and etcdctl against addresses only that namespace reaches.
 *   k3sProbe.ts nodes <kubeconfig> <server-url>
 *   k3sProbe.ts members <data-dir> <endpoint>
 *   k3sProbe.ts delete-node <kubeconfig> <server-url> <name>
 */
import { deleteNode, listNodes } from '../../../harness/cluster/nodes.ts';
import { etcdMembers, k3sEtcdCredentials } from '../../../harness/cluster/etcd.ts';

const [what, a, b, c] = process.argv.slice(2);
try {
  if (what === 'nodes') console.log(JSON.stringify(await listNodes(a!, { server: b })));
  else if (what === 'delete-node') console.log(JSON.stringify(await deleteNode(a!, c!, { server: b }) ?? null));
  else if (what === 'members') console.log(JSON.stringify(await etcdMembers({ endpoints: [b!], ...k3sEtcdCredentials(a) })));
  else throw new Error(`unknown probe ${what}`);
} catch (e) {
  console.error(`probe ${what}: ${(e as Error).message}`);
  process.exit(1);
}
