import type { CommandResult } from '../guest/ssh.ts';
import type { ClusterView } from './evidence.ts';
import type { NodeSpec } from './topology.ts';

/**
 * How the runner reaches into the lab's private network: commands on nodes over SSH and the
 * cluster through the Kubernetes API and etcd. The lab lives in its own network namespace, so
 * the real implementation runs these from inside it.
 */
export interface LabAccess {
  ssh(node: NodeSpec, command: string, opts?: { timeoutMs?: number }): Promise<CommandResult>;
  /** Nodes as the init node's API lists them and, unless `etcd: false`, etcd's members. */
  cluster(opts?: { etcd?: boolean; timeoutMs?: number }): Promise<ClusterView>;
  /** `kubectl delete node NAME` through the init node's API. */
  deleteNode(name: string): Promise<void>;
  close(): Promise<void>;
}
