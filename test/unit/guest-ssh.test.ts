import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ssh2 from 'ssh2';
import { generateRunKey, sshRun } from '../../harness/guest/ssh.ts';

const { Server, utils } = ssh2;
const runKey = generateRunKey('test run');
const otherKey = generateRunKey('stranger');
// Drawn through generateRunKey: ssh2's own generator makes 1 ed25519 key in 256 it cannot read back.
const hostKey = { private: generateRunKey('host').privateKey };
let port = 0;
let server: InstanceType<typeof Server>;

// A real SSH server (ssh2's) that accepts only the run key for user core and answers two commands.
beforeAll(async () => {
  const allowed = utils.parseKey(runKey.publicKey);
  if (allowed instanceof Error) throw allowed;
  server = new Server({ hostKeys: [hostKey.private] }, (client) => {
    client.on('authentication', (ctx) => {
      if (ctx.method === 'publickey' && ctx.username === 'core' && ctx.key.algo === allowed.type && ctx.key.data.equals(allowed.getPublicSSH())) {
        if (!ctx.signature) return ctx.accept();
        return allowed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) ? ctx.accept() : ctx.reject();
      }
      ctx.reject(['publickey']);
    });
    client.on('session', (accept) => {
      accept().on('exec', (acceptExec, _reject, info) => {
        const stream = acceptExec();
        if (info.command === 'touch /usr/local/bin/k3s-ro-test') {
          stream.stderr.write("touch: cannot touch '/usr/local/bin/k3s-ro-test': Read-only file system\n");
          stream.exit(1);
        } else {
          stream.write(`ran: ${info.command}\n`);
          stream.exit(0);
        }
        stream.end();
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => server.close());

describe('ssh', () => {
  it('makes an ed25519 key in OpenSSH format', () => {
    expect(runKey.publicKey).toMatch(/^ssh-ed25519 AAAA\S+ test run$/);
    expect(runKey.privateKey).toContain('BEGIN OPENSSH PRIVATE KEY');
  });
  it('never hands out a key that ssh2 or sshd would refuse (ssh2 drops the leading zero byte of 1 public key in 256)', () => {
    // 1500 draws meet a zero-led public key with probability 1 - (255/256)^1500 > 99.7 %.
    for (let i = 0; i < 1500; i++) {
      const key = generateRunKey('draw');
      const priv = utils.parseKey(key.privateKey);
      expect(priv instanceof Error ? priv.message : 'ok').toBe('ok');
      const blob = Buffer.from(key.publicKey.split(' ')[1]!, 'base64');
      expect(blob.length).toBe(51);
      expect(blob.readUInt32BE(15)).toBe(32);
    }
  });

  it('runs a command and returns stdout and exit 0', async () => {
    const r = await sshRun({ host: '127.0.0.1', port, privateKey: runKey.privateKey }, 'uname -a');
    expect(r).toEqual({ stdout: 'ran: uname -a\n', stderr: '', code: 0 });
  });
  it('returns stderr and a non-zero exit without throwing', async () => {
    const r = await sshRun({ host: '127.0.0.1', port, privateKey: runKey.privateKey }, 'touch /usr/local/bin/k3s-ro-test');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Read-only file system');
  });
  it('is refused with another key, naming the host', async () => {
    await expect(sshRun({ host: '127.0.0.1', port, privateKey: otherKey.privateKey }, 'true', { timeoutMs: 5000 })).rejects.toThrow(/^ssh 127\.0\.0\.1: All configured authentication methods failed/);
  });
});
