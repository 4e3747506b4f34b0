/**
 * Lists a cluster's nodes through the Kubernetes API with the official client (@kubernetes/client-node),
 * the same way for real k3s and the K3s double. The kubeconfig k3s writes points at 127.0.0.1; from
 * outside the node the caller gives the address it can reach (`server`).
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';

export interface ObservedNode {
  name: string;
  /** True only when the Ready condition's status is "True" (Unknown and False both mean NotReady). */
  ready: boolean;
  readyReason: string | undefined;
  /** From node-role.kubernetes.io/<role> labels, sorted: ['control-plane', 'etcd', 'master']. */
  roles: string[];
  internalIp: string | undefined;
  kubeletVersion: string | undefined;
  lastHeartbeatTime: string | undefined;
}

export interface ListNodesOptions {
  /** Replaces the cluster's server URL, e.g. https://10.0.0.70:6443 instead of https://127.0.0.1:6443. */
  server?: string;
}

/** kubeconfig: a path or the YAML text itself. */
export function loadKubeConfig(kubeconfig: string, opts: ListNodesOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  const text = kubeconfig.includes('\n') ? kubeconfig : readFileSync(kubeconfig, 'utf8');
  kc.loadFromString(text);
  if (opts.server) {
    const current = kc.getCurrentCluster();
    if (!current) throw new Error('kubeconfig has no current cluster');
    kc.clusters = kc.clusters.map((c) => (c.name === current.name ? { ...c, server: opts.server! } : c));
  }
  return kc;
}

export function observeNode(node: any): ObservedNode {
  const ready = node.status?.conditions?.find((c: any) => c.type === 'Ready');
  const heartbeat = ready?.lastHeartbeatTime;
  return {
    name: node.metadata?.name ?? '',
    ready: ready?.status === 'True',
    readyReason: ready?.reason,
    roles: Object.keys(node.metadata?.labels ?? {})
      .filter((k) => k.startsWith('node-role.kubernetes.io/'))
      .map((k) => k.slice('node-role.kubernetes.io/'.length))
      .sort(),
    internalIp: node.status?.addresses?.find((a: any) => a.type === 'InternalIP')?.address,
    kubeletVersion: node.status?.nodeInfo?.kubeletVersion,
    lastHeartbeatTime: heartbeat instanceof Date ? heartbeat.toISOString() : heartbeat,
  };
}

export async function listNodes(kubeconfig: string, opts: ListNodesOptions = {}): Promise<ObservedNode[]> {
  const api = loadKubeConfig(kubeconfig, opts).makeApiClient(CoreV1Api);
  const list = await api.listNode();
  return list.items.map(observeNode).sort((a, b) => a.name.localeCompare(b.name));
}

/** `kubectl delete node NAME`: what k3s documents before a node rejoins under its old name (its node password goes too). */
export async function deleteNode(kubeconfig: string, name: string, opts: ListNodesOptions = {}): Promise<void> {
  const api = loadKubeConfig(kubeconfig, opts).makeApiClient(CoreV1Api);
  await api.deleteNode({ name });
}
