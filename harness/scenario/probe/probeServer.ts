/**
 * Runs inside the lab's network namespace (`ip netns exec <ns> node --import tsx probeServer.ts`)
 * and answers probe requests on stdin with JSON lines on stdout: SSH commands, the Kubernetes
 * node list and etcd's members — addresses only that namespace reaches. One process for the whole
 * run, so a probe costs a request, not a Node start-up (CPU the VMs need under TCG).
 * It exits when stdin closes, i.e. when the harness goes away.
 */
import { createInterface } from 'node:readline';
import { etcdMembers } from '../../cluster/etcd.ts';
import { deleteNode, listNodes } from '../../cluster/nodes.ts';
import { sshRun } from '../../guest/ssh.ts';
import type { ProbeRequest, ProbeResponse } from './protocol.ts';

async function answer(req: ProbeRequest): Promise<unknown> {
  switch (req.op) {
    case 'ssh':
      return sshRun({ host: req.host, port: req.port, username: req.username, privateKey: req.privateKey }, req.command, { timeoutMs: req.timeoutMs });
    case 'nodes':
      return listNodes(req.kubeconfig, { server: req.server });
    case 'delete-node':
      return deleteNode(req.kubeconfig, req.name, { server: req.server });
    case 'etcd':
      return etcdMembers({ endpoints: req.endpoints, cacert: req.cacert, cert: req.cert, key: req.key });
  }
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let req: ProbeRequest;
  try {
    req = JSON.parse(line) as ProbeRequest;
  } catch {
    return;
  }
  answer(req).then(
    (value) => reply({ id: req.id, ok: true, value }),
    (err: unknown) => reply({ id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});
lines.on('close', () => process.exit(0));

function reply(res: ProbeResponse): void {
  process.stdout.write(JSON.stringify(res) + '\n');
}
