/**
 * etcd's ports must be free before it starts: on a Debian-based image, Debian's own etcd.service
 * (enabled by the etcd-server package) would hold 127.0.0.1:2379 and etcd would die with a bare
 * "address already in use". This turns that into one line that names the likely cause.
 */
import { createServer } from 'node:net';
import { fatal } from '../log.ts';

function probe(host: string, port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e));
    s.listen(port, host, () => s.close(() => resolve(undefined)));
  });
}

export async function assertEtcdPortsFree(hosts: string[]): Promise<void> {
  for (const host of [...new Set(hosts)]) {
    for (const port of [2379, 2380]) {
      const err = await probe(host, port);
      if (err?.code === 'EADDRINUSE') {
        fatal(`${host}:${port} is already in use, so the embedded etcd cannot start (is another etcd, e.g. Debian's etcd.service, running? disable it)`);
      }
    }
  }
}
