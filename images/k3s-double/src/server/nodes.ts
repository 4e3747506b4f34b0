/**
 * Node objects in etcd (/registry/minions/<name>, where Kubernetes keeps them) and the node heartbeat as
 * an etcd lease (/registry/leases/kube-node-lease/<name>). Ready is read from the lease: when a node stops
 * renewing, etcd drops the key after the node monitor's grace period and the node reads NotReady (status Unknown, as Kubernetes
 * reports a node whose kubelet stopped posting) — no clock on any other node is trusted.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { arch, hostname, release } from 'node:os';
import { EtcdClient } from '../etcd/client.ts';
import { log } from '../log.ts';
import { forgetNodePassword } from '../nodePassword.ts';
import { K3S_VERSION } from '../version.ts';

// Kubernetes' own timing, so the double turns a node NotReady no sooner than a real cluster would: the
// kubelet's node lease lasts nodeLeaseDurationSeconds (default 40) and is renewed every quarter of it
// (10 s, KEP-589 "Efficient Node Heartbeats"); the node lifecycle controller marks a node Unknown once
// no renewal came for node-monitor-grace-period (50 s, the default kubernetes/kubernetes#127352 works
// from). The etcd lease's TTL plays that grace period. A 15 s TTL read a node NotReady after a ~16 s
// stall of its etcd under TCG (three-node-ha, node-1, right after the recovery wait), where a real
// cluster stays Ready.
export const NODE_LEASE_DURATION_SECONDS = 40;
export const NODE_MONITOR_GRACE_SECONDS = 50;
export const HEARTBEAT_MS = 10_000;

const nodeKey = (name: string) => `/registry/minions/${name}`;
const leaseKey = (name: string) => `/registry/leases/kube-node-lease/${name}`;

export interface NodeRegistration {
  name: string;
  ip: string;
  server: boolean;
  labels: string[];
  /** Redacted flags, for the k3s.io/node-args annotation. */
  args: string[];
}

function osImage(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'Linux';
  } catch {
    return 'Linux';
  }
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return fallback;
  }
}

export function nodeObject(reg: NodeRegistration, previous?: any): any {
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/instance-type': 'k3s',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': reg.name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': 'k3s',
  };
  if (reg.server) {
    labels['node-role.kubernetes.io/control-plane'] = 'true';
    labels['node-role.kubernetes.io/etcd'] = 'true';
    labels['node-role.kubernetes.io/master'] = 'true';
  }
  for (const l of reg.labels) {
    const [k, v = ''] = l.split('=');
    if (k) labels[k] = v;
  }
  return {
    kind: 'Node',
    apiVersion: 'v1',
    metadata: {
      name: reg.name,
      uid: previous?.metadata?.uid ?? randomUUID(),
      creationTimestamp: previous?.metadata?.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      labels,
      annotations: {
        'k3s.io/hostname': hostname(),
        'k3s.io/internal-ip': reg.ip,
        'k3s.io/node-args': JSON.stringify(reg.args),
        'lab.flatcar-k3s/double': 'true',
      },
    },
    spec: {},
    status: {
      addresses: [
        { type: 'InternalIP', address: reg.ip },
        { type: 'Hostname', address: reg.name },
      ],
      nodeInfo: {
        architecture: arch() === 'x64' ? 'amd64' : arch(),
        bootID: readOr('/proc/sys/kernel/random/boot_id', ''),
        containerRuntimeVersion: 'lab-double://none',
        kernelVersion: release(),
        kubeProxyVersion: K3S_VERSION,
        kubeletVersion: K3S_VERSION,
        machineID: readOr('/etc/machine-id', ''),
        operatingSystem: 'linux',
        osImage: osImage(),
        systemUUID: readOr('/sys/class/dmi/id/product_uuid', ''),
      },
    },
  };
}

export async function nodeExists(etcd: EtcdClient, name: string): Promise<boolean> {
  return (await etcd.get(nodeKey(name))) !== undefined;
}

/** `kubectl delete node`: the object, its lease, and its node password (k3s docs, "Node password"). */
export async function deleteNode(etcd: EtcdClient, name: string): Promise<boolean> {
  const had = await nodeExists(etcd, name);
  await etcd.delete(nodeKey(name));
  await etcd.delete(leaseKey(name));
  await forgetNodePassword(etcd, name);
  if (had) log('info', `Deleted node ${name}, its lease and its node password`);
  return had;
}

/** Writes (or refreshes) the node object, keeping its uid and creation time across restarts. */
export async function registerNode(etcd: EtcdClient, reg: NodeRegistration): Promise<void> {
  const prev = await etcd.get(nodeKey(reg.name));
  await etcd.put(nodeKey(reg.name), JSON.stringify(nodeObject(reg, prev ? JSON.parse(prev.value) : undefined)));
}

/** Keeps one node's lease alive: renew, or take a fresh lease when etcd says the old one is gone. */
export class NodeHeartbeat {
  private leaseId: string | undefined;
  private acquireTime = new Date().toISOString();
  private timer: NodeJS.Timeout | undefined;
  private failing = false;

  constructor(
    private readonly etcd: EtcdClient,
    private readonly name: string,
  ) {}

  async beat(): Promise<void> {
    if (!this.leaseId || (await this.etcd.keepAlive(this.leaseId)) <= 0) {
      this.leaseId = await this.etcd.grant(NODE_MONITOR_GRACE_SECONDS);
      this.acquireTime = new Date().toISOString();
    }
    const renewTime = new Date().toISOString();
    await this.etcd.put(
      leaseKey(this.name),
      JSON.stringify({ holderIdentity: this.name, leaseDurationSeconds: NODE_LEASE_DURATION_SECONDS, acquireTime: this.acquireTime, renewTime }),
      this.leaseId,
    );
  }

  start(): void {
    const tick = async () => {
      try {
        await this.beat();
        if (this.failing) log('info', `Node heartbeat for ${this.name} restored`);
        this.failing = false;
      } catch (e) {
        if (!this.failing) log('warning', `Node heartbeat for ${this.name} failed: ${(e as Error).message}`);
        this.failing = true;
      }
      this.timer = setTimeout(tick, HEARTBEAT_MS);
    };
    this.timer = setTimeout(tick, HEARTBEAT_MS);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}

function readyCondition(lease: any | undefined): any {
  if (lease) {
    return {
      type: 'Ready',
      status: 'True',
      reason: 'KubeletReady',
      message: 'kubelet is posting ready status',
      lastHeartbeatTime: lease.renewTime?.replace(/\.\d+Z$/, 'Z'),
      lastTransitionTime: lease.acquireTime?.replace(/\.\d+Z$/, 'Z'),
    };
  }
  return {
    type: 'Ready',
    status: 'Unknown',
    reason: 'NodeStatusUnknown',
    message: 'Kubelet stopped posting node status.',
  };
}

/** Nodes as the API shows them: the stored object with its Ready condition from the lease. */
export async function listNodes(etcd: EtcdClient): Promise<{ items: any[]; resourceVersion: string }> {
  const [nodes, leases] = await Promise.all([etcd.range('/registry/minions/'), etcd.range('/registry/leases/kube-node-lease/')]);
  const leaseByName = new Map(leases.kvs.map((kv) => [kv.key.slice('/registry/leases/kube-node-lease/'.length), JSON.parse(kv.value)]));
  const items = nodes.kvs.map((kv) => {
    const node = JSON.parse(kv.value);
    node.metadata.resourceVersion = kv.modRevision;
    const lease = leaseByName.get(node.metadata.name);
    node.status.conditions = [readyCondition(lease)];
    return node;
  });
  return { items, resourceVersion: nodes.revision };
}

export async function getNode(etcd: EtcdClient, name: string): Promise<any | undefined> {
  const { items } = await listNodes(etcd);
  return items.find((n) => n.metadata.name === name);
}
