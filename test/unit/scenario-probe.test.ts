import { execa } from 'execa';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ssh2 from 'ssh2';
import { generateRunKey } from '../../harness/guest/ssh.ts';
import { NetnsAccess } from '../../harness/scenario/probe/netnsAccess.ts';

const { Server } = ssh2;
const key = generateRunKey();
let server: InstanceType<typeof Server>;
/** What the node's k3s.yaml holds; undefined: k3s has not written it yet. */
let kubeconfig: string | undefined;
let port = 0;
const node = { name: 'node-1', ip: '127.0.0.1', mac: '52:54:00:00:00:46', role: 'init' as const };

// A real SSH server on the host's loopback playing a node without k3s yet.
beforeAll(async () => {
  // generateRunKey, not ssh2's generator: that one makes 1 ed25519 key in 256 it cannot read back.
  server = new Server({ hostKeys: [generateRunKey('host').privateKey] }, (client) => {
    client.on('authentication', (ctx) => (ctx.method === 'publickey' && ctx.username === 'core' ? ctx.accept() : ctx.reject(['publickey'])));
    client.on('session', (accept) =>
      accept().on('exec', (acceptExec, _r, info) => {
        const s = acceptExec();
        if (info.command.includes('k3s.yaml') && kubeconfig) {
          s.write(kubeconfig);
          s.exit(0);
        } else if (info.command.includes('k3s.yaml')) {
          s.stderr.write('cat: /etc/rancher/k3s/k3s.yaml: No such file or directory\n');
          s.exit(1);
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
afterAll(() => server.close());

describe('NetnsAccess (one probe process for the run)', () => {
  it('runs SSH commands through the probe process; the cluster error names the file it needed', async () => {
    const access = new NetnsAccess(undefined, key.privateKey, node, { sshPort: port });
    try {
      expect(await access.ssh(node, 'uname -r')).toEqual({ stdout: 'ran:uname -r', stderr: '', code: 0 });
      await expect(access.cluster()).rejects.toThrow("node-1: cannot read /etc/rancher/k3s/k3s.yaml: cat: /etc/rancher/k3s/k3s.yaml: No such file or directory");
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
    kubeconfig = ['apiVersion: v1', 'kind: Config', 'clusters:', '- name: default', '  cluster:', '    server: https://127.0.0.1:6443', '    insecure-skip-tls-verify: true', 'contexts:', '- name: default', '  context: {cluster: default, user: default}', 'current-context: default', 'users:', '- name: default', '  user: {token: x}', ''].join('\n');
    const access = new NetnsAccess(undefined, key.privateKey, node, { sshPort: port, apiPort, apiTimeoutMs: 1500 });
    try {
      const t0 = Date.now();
      await expect(access.cluster({ etcd: false })).rejects.toThrow('nodes from the lab probe: no answer within 2 s');
      expect(Date.now() - t0).toBeLessThan(10_000);
    } finally {
      kubeconfig = undefined;
      await access.close();
      silent.close();
    }
  }, 30_000);

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
