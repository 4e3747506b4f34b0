/**
 * Debian's etcd as k3s's embedded datastore: data under <data-dir>/server/db/etcd, TLS on 2379 (clients)
 * and 2380 (peers). The child gets PDEATHSIG through setpriv so a killed double never leaves etcd behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { log } from '../log.ts';

export interface EtcdSpec {
  name: string;
  dataDir: string;
  nodeIp: string;
  /** Also listen on loopback (k3s does); off when several doubles share one network namespace. */
  listenLoopback: boolean;
  tls: { serverCa: string; peerCa: string; serverCrt: string; serverKey: string; peerCrt: string; peerKey: string };
  /** Only for a member whose data dir is still empty. */
  initial?: { cluster: string; state: 'new' | 'existing' };
  etcdBinary?: string;
}

export function etcdDataDir(k3sDataDir: string): string {
  return join(k3sDataDir, 'server', 'db', 'etcd');
}

export function hasEtcdData(k3sDataDir: string): boolean {
  return existsSync(join(etcdDataDir(k3sDataDir), 'member', 'wal'));
}

export const clientUrl = (ip: string) => `https://${ip}:2379`;
export const peerUrl = (ip: string) => `https://${ip}:2380`;

export function etcdArgs(s: EtcdSpec): string[] {
  const clientUrls = [...new Set([clientUrl(s.nodeIp), ...(s.listenLoopback ? ['https://127.0.0.1:2379'] : [])])];
  const args = [
    `--name=${s.name}`,
    `--data-dir=${s.dataDir}`,
    `--listen-client-urls=${clientUrls.join(',')}`,
    `--advertise-client-urls=${clientUrl(s.nodeIp)}`,
    `--listen-peer-urls=${peerUrl(s.nodeIp)}`,
    `--initial-advertise-peer-urls=${peerUrl(s.nodeIp)}`,
    `--listen-metrics-urls=http://${s.listenLoopback ? '127.0.0.1' : s.nodeIp}:2381`,
    `--client-cert-auth`,
    `--trusted-ca-file=${s.tls.serverCa}`,
    `--cert-file=${s.tls.serverCrt}`,
    `--key-file=${s.tls.serverKey}`,
    `--peer-client-cert-auth`,
    `--peer-trusted-ca-file=${s.tls.peerCa}`,
    `--peer-cert-file=${s.tls.peerCrt}`,
    `--peer-key-file=${s.tls.peerKey}`,
    // k3s's own timing, which tolerates slow (emulated) machines.
    `--heartbeat-interval=500`,
    `--election-timeout=5000`,
    `--logger=zap`,
    // warn would log every gateway request ("ignoring common name"), flooding the journal.
    `--log-level=${process.env.K3S_DOUBLE_ETCD_LOG_LEVEL ?? 'error'}`,
    `--log-outputs=stderr`,
  ];
  if (s.initial) args.push(`--initial-cluster=${s.initial.cluster}`, `--initial-cluster-state=${s.initial.state}`);
  return args;
}

export function startEtcd(s: EtcdSpec): ChildProcess {
  const etcd = s.etcdBinary ?? process.env.K3S_DOUBLE_ETCD ?? '/usr/bin/etcd';
  const args = etcdArgs(s);
  const viaSetpriv = existsSync('/usr/bin/setpriv');
  // k3s's etcd runs inside k3s and never talks to systemd; a separate etcd that inherits
  // NOTIFY_SOCKET sends its own READY=1, which systemd rejects (NotifyAccess=main) with a warning.
  const { NOTIFY_SOCKET: _notifySocket, ...env } = process.env;
  const options = { stdio: ['ignore', 'inherit', 'inherit'] as ('ignore' | 'inherit')[], env };
  const child = viaSetpriv ? spawn('/usr/bin/setpriv', ['--pdeathsig', 'KILL', '--', etcd, ...args], options) : spawn(etcd, args, options);
  log('info', `Starting etcd member ${s.name} (${etcd}) with data in ${s.dataDir}${s.initial ? `, initial cluster state ${s.initial.state}` : ', existing data'}`);
  return child;
}
