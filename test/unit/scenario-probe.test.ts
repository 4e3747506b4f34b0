import { execa } from 'execa';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ssh2 from 'ssh2';
import { generateRunKey } from '../../harness/guest/ssh.ts';
import { NetnsAccess } from '../../harness/scenario/probe/netnsAccess.ts';
import { issueCertificate, newKeyPair } from '../../images/k3s-double/src/x509.ts';

const { Server } = ssh2;
const key = generateRunKey();
let server: InstanceType<typeof Server>;
let port = 0;
const node = { name: 'node-1', ip: '127.0.0.1', mac: '52:54:00:00:00:46', role: 'init' as const };
/** The node's files: k3s's paths live under this root (commands are rewritten; cat's own errors name the root's path). */
const root = mkdtempSync(join(tmpdir(), 'fkl-probe-unit-'));
const paths: [string, string][] = [['/etc/rancher/k3s', join(root, 'etc')], ['/var/lib/rancher/k3s', join(root, 'data')]];
const onNode = (s: string) => paths.reduce((t, [guest, host]) => t.replaceAll(guest, host), s);
/** Every command the node was asked to run, one per SSH session. */
const sessions: string[] = [];
const etcdTls = join(root, 'data/server/tls/etcd');
const kubeconfigFile = join(root, 'etc/k3s.yaml');
function writeKubeconfig(apiPort: number): void {
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(kubeconfigFile, ['apiVersion: v1', 'kind: Config', 'clusters:', '- name: default', '  cluster:', `    server: https://127.0.0.1:${apiPort}`, '    insecure-skip-tls-verify: true', 'contexts:', '- name: default', '  context: {cluster: default, user: default}', 'current-context: default', 'users:', '- name: default', '  user: {token: x}', ''].join('\n'));
}

/** An API that lists node-1 Ready, over TLS as k3s serves it (the kubeconfig skips verification). */
async function startApi(): Promise<{ port: number; close: () => void }> {
  const keys = newKeyPair();
  const cert = issueCertificate({ subject: { commonName: 'k3s' }, subjectKey: keys, isCa: false, serverAuth: true, altNames: ['127.0.0.1'], days: 1 });
  const nodeList = { apiVersion: 'v1', kind: 'NodeList', metadata: {}, items: [{ metadata: { name: 'node-1', labels: { 'node-role.kubernetes.io/control-plane': 'true' } }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }] };
  const api = createHttpsServer({ key: keys.privateKeyPem, cert }, (req, res) => {
    res.writeHead(req.url?.startsWith('/api/v1/nodes') ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(nodeList));
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  return { port: (api.address() as AddressInfo).port, close: () => api.close() };
}

/** node-1 with a kubeconfig for an API that lists it, and an empty session log; its files go afterwards. */
async function withListingNode(run: (access: NetnsAccess) => Promise<void>): Promise<void> {
  const api = await startApi();
  writeKubeconfig(api.port);
  sessions.length = 0;
  const access = new NetnsAccess(undefined, key.privateKey, node, { sshPort: port, apiPort: api.port, apiTimeoutMs: 10_000 });
  try {
    await run(access);
  } finally {
    rmSync(kubeconfigFile);
    rmSync(join(root, 'data'), { recursive: true, force: true });
    await access.close();
    api.close();
  }
}

// A real SSH server on the host's loopback playing the init node: root's commands (`sudo -n sh -c …`)
// run for real in a shell, with k3s's files under a temp root; others only echo.
beforeAll(async () => {
  // generateRunKey, not ssh2's generator: that one makes 1 ed25519 key in 256 it cannot read back.
  server = new Server({ hostKeys: [generateRunKey('host').privateKey] }, (client) => {
    client.on('authentication', (ctx) => (ctx.method === 'publickey' && ctx.username === 'core' ? ctx.accept() : ctx.reject(['publickey'])));
    client.on('session', (accept) =>
      accept().on('exec', (acceptExec, _r, info) => {
        const s = acceptExec();
        sessions.push(info.command);
        if (info.command.startsWith('sudo -n sh -c ')) {
          const r = spawnSync('sh', ['-c', onNode(info.command.slice('sudo -n '.length))], { encoding: 'utf8' });
          s.write(r.stdout);
          s.stderr.write(r.stderr);
          s.exit(r.status ?? 1);
        } else {
          s.write(`ran:${info.command}`);
          s.exit(0);
        }
        s.end();
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.close();
  rmSync(root, { recursive: true, force: true });
});

describe('NetnsAccess (one probe process for the run)', () => {
  it('runs SSH commands through the probe process; the cluster error names the file it needed', async () => {
    const access = new NetnsAccess(undefined, key.privateKey, node, { sshPort: port });
    try {
      expect(await access.ssh(node, 'uname -r')).toEqual({ stdout: 'ran:uname -r', stderr: '', code: 0 });
      await expect(access.cluster()).rejects.toThrow(/^node-1: cannot read \/etc\/rancher\/k3s\/k3s\.yaml: cat: \S*k3s\.yaml: No such file or directory$/);
    } finally {
      await access.close();
    }
    await expect(access.ssh(node, 'true')).rejects.toThrow('lab access is closed');
  }, 30_000);

  it('gives up on an API that accepts the connection but never answers, saying what it waited for', async () => {
    // A "k3s" that takes the TCP connection and then says nothing, not even a TLS handshake.
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const apiPort = (silent.address() as AddressInfo).port;
    writeKubeconfig(6443);
    const access = new NetnsAccess(undefined, key.privateKey, node, { sshPort: port, apiPort, apiTimeoutMs: 1500 });
    try {
      const t0 = Date.now();
      await expect(access.cluster({ etcd: false })).rejects.toThrow('nodes from the lab probe: no answer within 2 s');
      expect(Date.now() - t0).toBeLessThan(10_000);
    } finally {
      rmSync(kubeconfigFile);
      await access.close();
      silent.close();
    }
  }, 30_000);

  it('reads the kubeconfig and the etcd certificates in one SSH session, then etcd without another', () =>
    withListingNode(async (access) => {
      mkdirSync(etcdTls, { recursive: true });
      for (const f of ['server-ca.crt', 'client.crt', 'client.key']) writeFileSync(join(etcdTls, f), `${f} of node-1\n`);
      const view = await access.cluster();
      expect(view.nodes).toEqual([expect.objectContaining({ name: 'node-1', ready: true })]);
      // No etcd listens on 127.0.0.1:2379 here: its answer is an error, asked with the certificates held.
      expect(view.etcdError).toBeDefined();
      expect(view.etcdError).not.toMatch(/cannot read/);
      expect(sessions).toHaveLength(1);
      expect(sessions[0]).toMatch(/k3s\.yaml[\s\S]*server-ca\.crt[\s\S]*client\.crt[\s\S]*client\.key/);
      await access.cluster();
      expect(sessions).toHaveLength(1);
    }), 30_000);

  it('a node with its kubeconfig but no etcd certificates yet is asked for them on their own, and the error names the file', () =>
    withListingNode(async (access) => {
      const view = await access.cluster();
      expect(view.nodes.map((n) => n.name)).toEqual(['node-1']);
      expect(view.etcdError).toMatch(/^node-1: cannot read \/var\/lib\/rancher\/k3s\/server\/tls\/etcd\/server-ca\.crt: cat: \S*server-ca\.crt: No such file or directory$/);
      expect(sessions).toHaveLength(2);
    }), 30_000);

  it.skipIf(process.getuid?.() !== 0)('inside a network namespace it reaches only that namespace', async () => {
    const ns = `fkl-probe-test-${process.pid}`;
    await execa('ip', ['netns', 'add', ns]);
    try {
      await execa('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
      const access = new NetnsAccess((cmd, args) => ['ip', ['netns', 'exec', ns, cmd, ...args]], key.privateKey, node, { sshPort: port });
      try {
        // The host's server listens on 127.0.0.1:<port>; the namespace's loopback has nothing there.
        await expect(access.ssh(node, 'true', { timeoutMs: 5000 })).rejects.toThrow(/ECONNREFUSED/);
      } finally {
        await access.close();
      }
    } finally {
      await execa('ip', ['netns', 'del', ns]);
    }
  }, 30_000);
});
