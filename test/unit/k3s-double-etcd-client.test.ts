import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { issueCertificate, newKeyPair } from '../../images/k3s-double/src/x509.ts';
import { EtcdClient } from '../../images/k3s-double/src/etcd/client.ts';

/**
 * The double's etcd client against a TLS server that answers like etcd's JSON gateway: it keeps
 * one connection for many requests (kube-apiserver holds one to etcd; a handshake per request was
 * guest CPU under TCG), and a kept-alive connection the server dropped costs no failed request.
 */
describe('K3s double etcd client: kept-alive connections', () => {
  const caKey = newKeyPair();
  const ca = issueCertificate({ subject: { commonName: 'etcd-server-ca' }, subjectKey: caKey, isCa: true, days: 1 });
  const leafKey = newKeyPair();
  const leaf = issueCertificate({
    subject: { commonName: 'etcd' },
    subjectKey: leafKey,
    issuer: { name: { commonName: 'etcd-server-ca' }, key: caKey },
    isCa: false,
    serverAuth: true,
    altNames: ['127.0.0.1'],
    days: 1,
  });
  let server: Server;
  let handshakes = 0;
  let requests = 0;
  /** Requests (by number) whose socket the server drops without an answer. */
  const drop = new Set<number>();

  beforeAll(async () => {
    server = createServer({ key: leafKey.privateKeyPem, cert: leaf }, (req, res) => {
      const n = ++requests;
      req.resume();
      req.on('end', () => {
        if (drop.has(n)) return void req.socket.destroy();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ header: { revision: String(n) }, kvs: [] }));
      });
    });
    server.on('secureConnection', () => handshakes++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));

  const client = () => new EtcdClient(`https://127.0.0.1:${(server.address() as AddressInfo).port}`, { ca });

  it('makes ten requests one after another over one TLS connection', async () => {
    const before = handshakes;
    const etcd = client();
    for (let i = 0; i < 10; i++) await etcd.range('/registry/minions/');
    expect(handshakes - before).toBe(1);
  });

  it('asks again on a new connection when the kept-alive one was dropped, and the caller sees the answer', async () => {
    const etcd = client();
    await etcd.range('/registry/minions/');
    const before = handshakes;
    drop.add(requests + 1);
    const r = await etcd.range('/registry/minions/');
    expect(Number(r.revision)).toBe(requests);
    expect(handshakes - before).toBe(1);
  });

  it('does not hide a failure on a fresh connection', async () => {
    const etcd = client();
    drop.add(requests + 1);
    await expect(etcd.range('/registry/minions/')).rejects.toThrow(/socket hang up|ECONNRESET/);
  });
});
