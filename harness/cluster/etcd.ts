/**
 * etcd membership as etcd itself reports it, through Debian's etcdctl. k3s keeps the client
 * credentials under <data-dir>/server/tls/etcd; the K3s double uses the same paths.
 */
import { execa } from 'execa';
import { join } from 'node:path';

export interface EtcdMember {
  id: string;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner: boolean;
}

export interface EtcdAccess {
  endpoints: string[];
  cacert: string;
  cert: string;
  key: string;
  /** Runs etcdctl through this prefix, e.g. ['ip', 'netns', 'exec', 'lab0']. */
  commandPrefix?: string[];
  timeoutMs?: number;
}

export function k3sEtcdCredentials(dataDir = '/var/lib/rancher/k3s'): Pick<EtcdAccess, 'cacert' | 'cert' | 'key'> {
  const tls = join(dataDir, 'server', 'tls', 'etcd');
  return { cacert: join(tls, 'server-ca.crt'), cert: join(tls, 'client.crt'), key: join(tls, 'client.key') };
}

/** etcdctl prints 64-bit IDs as JSON numbers, which JavaScript would round: keep them as strings. */
export function parseMemberList(json: string): EtcdMember[] {
  const doc = JSON.parse(json.replace(/"(ID|cluster_id|member_id)":\s*(\d+)/g, '"$1":"$2"'));
  return (doc.members ?? []).map((m: any) => ({
    id: String(m.ID),
    name: m.name ?? '',
    peerURLs: m.peerURLs ?? [],
    clientURLs: m.clientURLs ?? [],
    isLearner: m.isLearner === true,
  }));
}

export async function etcdMembers(access: EtcdAccess): Promise<EtcdMember[]> {
  const [cmd, ...pre] = [...(access.commandPrefix ?? []), 'etcdctl'];
  const res = await execa(
    cmd!,
    [
      ...pre,
      `--endpoints=${access.endpoints.join(',')}`,
      `--cacert=${access.cacert}`,
      `--cert=${access.cert}`,
      `--key=${access.key}`,
      '--command-timeout=10s',
      'member',
      'list',
      '-w',
      'json',
    ],
    { env: { ETCDCTL_API: '3' }, timeout: access.timeoutMs ?? 20_000, reject: false },
  );
  if (res.exitCode !== 0) {
    throw new Error(`etcdctl member list via ${access.endpoints.join(',')} failed: ${(res.stderr || res.stdout).split('\n')[0]}`);
  }
  return parseMemberList(res.stdout);
}
