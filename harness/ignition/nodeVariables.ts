/** Template variables for one node, from scenario data: what makes each node's rendering differ. */
import { firstServer, type Scenario, type ScenarioNode } from '../scenario/model.ts';
import type { TemplateVariables } from './template.ts';

export function serverUrl(s: Pick<Scenario, 'network'>): string {
  return `http://${s.network.serverIp}:${s.network.mirrorPort}`;
}

/** INSTALL_K3S_EXEC by role: the first server starts embedded etcd, the others join it on :6443. */
export function k3sExec(s: Scenario, node: ScenarioNode): string {
  const first = firstServer(s);
  const join = first ? `--server https://${first.ip}:6443` : '';
  switch (node.role) {
    case 'init':
      return 'server --cluster-init';
    case 'server':
      return `server ${join}`.trim();
    case 'agent':
      return `agent ${join}`.trim();
  }
}

export function nodeVariables(s: Scenario, node: ScenarioNode): Record<string, string> {
  return {
    ...(s.variables ?? {}),
    hostname: node.name,
    pxe_server: serverUrl(s),
    k3s_token: s.cluster.token,
    k3s_exec: k3sExec(s, node),
  } satisfies TemplateVariables;
}
