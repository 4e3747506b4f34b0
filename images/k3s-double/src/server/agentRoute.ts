/**
 * Agents have no etcd: they post their node status to a server (basic auth `node:<token>`), and the
 * server keeps that node's lease alive on their behalf. A silent agent's lease expires like a server's.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EtcdClient } from '../etcd/client.ts';
import { log } from '../log.ts';
import { basicAuthMatches } from './api.ts';
import { agentRefusal, verifyNodePassword } from '../nodePassword.ts';
import { NodeHeartbeat, nodeExists, registerNode, type NodeRegistration } from './nodes.ts';

export const AGENT_HEARTBEAT_PATH = '/v1-k3s/lab-agent-heartbeat';

export function agentHeartbeatRoute(etcd: EtcdClient, token: string) {
  const beats = new Map<string, NodeHeartbeat>();
  return {
    [`POST ${AGENT_HEARTBEAT_PATH}`]: async (req: IncomingMessage, body: string, res: ServerResponse) => {
      const ip = (req.socket.remoteAddress ?? '?').replace(/^::ffff:/, '');
      if (!basicAuthMatches(req, 'node', token)) {
        log('warning', `Refused agent ${ip}: the token does not match this cluster's token`);
        res.writeHead(401).end('Unauthorized');
        return;
      }
      const reg = JSON.parse(body) as NodeRegistration & { password?: string };
      // Checked on every heartbeat: a reinstalled agent comes back under its old name (nodePassword.ts).
      if (!(await verifyNodePassword(etcd, reg.name, reg.password ?? ''))) {
        log('error', `Node password validation failed for '${reg.name}'`);
        res.writeHead(403, { 'content-type': 'text/plain' }).end(agentRefusal);
        return;
      }
      let beat = beats.get(reg.name);
      if (!beat || !(await nodeExists(etcd, reg.name))) {
        const { password: _, ...node } = reg;
        await registerNode(etcd, { ...node, server: false });
        if (!beat) beats.set(reg.name, (beat = new NodeHeartbeat(etcd, reg.name)));
        log('info', `Agent node ${reg.name} (${ip}) registered`);
      }
      await beat.beat();
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    },
  };
}
