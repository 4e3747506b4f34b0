import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startEtcd } from '../../images/k3s-double/src/etcd/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'etcd-env-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("etcd started by the double does not inherit systemd's NOTIFY_SOCKET (only k3s's main process may notify)", async () => {
  // A stand-in etcd that records the environment it was given.
  const fakeEtcd = join(dir, 'etcd');
  const envOut = join(dir, 'env.txt');
  writeFileSync(fakeEtcd, `#!/bin/sh\nenv > ${envOut}\n`);
  chmodSync(fakeEtcd, 0o755);
  const saved = process.env.NOTIFY_SOCKET;
  process.env.NOTIFY_SOCKET = '/run/systemd/notify';
  process.env.ETCD_ENV_TEST_MARKER = 'kept';
  try {
    const child = startEtcd({
      name: 'n1',
      dataDir: join(dir, 'data'),
      nodeIp: '127.0.0.1',
      listenLoopback: false,
      tls: { serverCa: 'a', peerCa: 'b', serverCrt: 'c', serverKey: 'd', peerCrt: 'e', peerKey: 'f' },
      etcdBinary: fakeEtcd,
    });
    await new Promise((resolve) => child.once('exit', resolve));
  } finally {
    if (saved === undefined) delete process.env.NOTIFY_SOCKET;
    else process.env.NOTIFY_SOCKET = saved;
    delete process.env.ETCD_ENV_TEST_MARKER;
  }
  expect(existsSync(envOut)).toBe(true);
  const env = readFileSync(envOut, 'utf8');
  expect(env).toContain('ETCD_ENV_TEST_MARKER=kept');
  expect(env).not.toContain('NOTIFY_SOCKET');
});
