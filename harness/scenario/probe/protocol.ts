/** Requests the in-lab probe process answers, one JSON object per line each way. */
export type ProbeRequest =
  | { id: number; op: 'ssh'; host: string; port: number; username: string; privateKey: string; command: string; timeoutMs: number }
  | { id: number; op: 'nodes'; kubeconfig: string; server: string }
  | { id: number; op: 'delete-node'; kubeconfig: string; server: string; name: string }
  | { id: number; op: 'etcd'; endpoints: string[]; cacert: string; cert: string; key: string };

export type ProbeResponse = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };
