import type { CommandResult } from '../guest/ssh.ts';
import type { AccessEntry } from '../services/accessLog.ts';
import type { ApiSample } from './availability.ts';
import type { Observation } from './observations.ts';
import type { NodeRole } from './topology.ts';

/**
 * Everything the harness collected about a run, for the assertions to judge. The harness
 * collects it (console, journal, SSH probes, logs, API); scenarios and assertions only read it.
 */
export interface RunEvidence {
  nodes: NodeEvidence[];
  /** The mirror's access log. */
  http: AccessEntry[];
  /** dnsmasq's log (DHCP and TFTP), as lines. */
  dnsmasq: string[];
  /** What the mirror served as k3s (sha256 of the file), to compare with what landed on the nodes. */
  servedK3sSha256?: string;
  cluster?: ClusterView;
  observations: Observation[];
  /** The API as polled through the run (once it first answered). */
  apiSamples?: ApiSample[];
  /** The fault steps: when each began and ended (ms since the epoch). */
  faults?: { name: string; at: number; endAt: number }[];
  /** The mirror faults the scenario set. */
  mirrorFaults?: { path: string; action: 404 | 503 | 'stall'; count: number }[];
  /** How long after the last fault ended the cluster may take to be healthy (scaled). */
  recoveryBudgetMs?: number;
}

export interface NodeEvidence {
  name: string;
  ip: string;
  role: NodeRole;
  /** How many times the VM was started (1 = the PXE boot only). */
  vmStarts: number;
  /** Results of the probes run over SSH at the end of the run, by probe name; absent when SSH failed. */
  probes: Partial<Record<ProbeName, CommandResult>>;
  /** Why the probes could not run (SSH never came up, …). */
  probeError?: string;
}

/** What the Kubernetes API and etcd said at the end of the run. */
export interface ClusterView {
  /** Node name → Ready condition and role labels (`control-plane`, `etcd`, `master`). */
  nodes: { name: string; ready: boolean; roles: string[]; lastHeartbeat?: string }[];
  /** etcd member names; undefined when they could not be read. */
  etcdMembers?: string[];
  /** Why etcd's members could not be read. */
  etcdError?: string;
  /** Why the API could not be read at all. */
  error?: string;
}

/** The commands the harness runs on every node after the scenario, named so assertions can ask for them. */
export const probes = {
  'touch-usr-local-bin': 'touch /usr/local/bin/k3s-ro-test',
  'opt-bin-k3s': 'sha256sum /opt/bin/k3s',
  'usr-local-bin-k3s': 'ls -l /usr/local/bin/k3s',
  'list-boots': 'journalctl --list-boots --no-pager',
  'k3s-install-journal': 'journalctl -u k3s-install.service -o json --no-pager',
} as const;

export type ProbeName = keyof typeof probes;
