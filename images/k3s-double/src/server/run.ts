/**
 * `k3s server`: start or join the embedded etcd cluster, serve :6443, register this node, write the
 * kubeconfig and node-token, then tell systemd it is ready. The order of decisions is k3s's:
 *   existing etcd data  -> resume that member (never re-initialize, whatever the flags say)
 *   --server URL        -> check the token against that server, then join as an etcd learner (learners.ts)
 *   otherwise           -> a new cluster (--cluster-init; without it too, since the double has no sqlite)
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeDurably } from '../durable.ts';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:https';
import { bool, list, str, type ParsedFlags } from '../args.ts';
import { EtcdClient } from '../etcd/client.ts';
import { clientUrl, etcdDataDir, hasEtcdData, peerUrl, startEtcd } from '../etcd/process.ts';
import { assertEtcdPortsFree } from '../etcd/ports.ts';
import { httpsRequest } from '../https.ts';
import { kubeconfigYaml, writeKubeconfig } from '../kubeconfig.ts';
import { fatal, FatalError, log, redact } from '../log.ts';
import { defaultNodeIp, hostAddressFromRoutes } from '../netinfo.ts';
import { ensureNodePassword } from '../nodePassword.ts';
import { notifyReady } from '../notify.ts';
import { caHash, createCas, hasCas, issueLeaf, loadCas, tlsDir, writeCas, writeLeaf, type CaBundle } from '../pki.ts';
import { formatNodeToken, newSecret, parseToken, tokenFrom } from '../token.ts';
import { K3S_VERSION } from '../version.ts';
import { startApi } from './api.ts';
import { agentHeartbeatRoute } from './agentRoute.ts';
import { addAsLearner, manageLearners, waitUntilPromoted } from './learners.ts';
import { NodeHeartbeat, registerNode } from './nodes.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function redactedArgs(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (/^--?(t|token|agent-token)=/.test(a)) out.push(a.replace(/=.*/, '=********'));
    else if (/^--?(t|token|agent-token)$/.test(a)) out.push(a, '********'), i++;
    else out.push(a);
  }
  return out;
}

interface Joined {
  cas: CaBundle;
  etcdClientURL: string;
}

/**
 * Fetches /cacerts, pins it against the token's hash when there is one, then asks for bootstrap data.
 * An unreachable server is waited for (k3s keeps retrying too: node 1 may still be booting); a
 * refused token or a CA that does not match the token ends the process.
 */
export async function fetchBootstrap(serverUrl: string, rawToken: string, retryMs = 2_000): Promise<Joined> {
  const tok = parseToken(rawToken);
  for (let attempt = 1; ; attempt++) {
    let step = 'get CA certs from';
    try {
      const cacerts = await httpsRequest(`${serverUrl}/cacerts`, { insecure: true });
      if (cacerts.status !== 200) throw new Error(`HTTP ${cacerts.status}`);
      if (tok.caHash && caHash(cacerts.body) !== tok.caHash) {
        fatal('starting kubernetes: preparing server: failed to validate token: token CA hash does not match the Cluster CA certificate hash');
      }
      step = 'get bootstrap data from';
      const boot = await httpsRequest(`${serverUrl}/v1-k3s/server-bootstrap`, { ca: cacerts.body, basicAuth: ['server', tok.secret] });
      if (boot.status === 401) {
        fatal(`starting kubernetes: preparing server: failed to join ${serverUrl}: the server refused the token (401 Unauthorized); check K3S_TOKEN`);
      }
      if (boot.status !== 200) throw new Error(`HTTP ${boot.status}`);
      return JSON.parse(boot.body) as Joined;
    } catch (e) {
      if (e instanceof FatalError) throw e;
      if (attempt === 1 || (attempt * retryMs) % 60_000 < retryMs) log('info', `Waiting to join: failed to ${step} ${serverUrl}: ${(e as Error).message}`);
      await sleep(retryMs);
    }
  }
}

function etcdTls(dataDir: string, cas: CaBundle, nodeIp: string, listenLoopback: boolean) {
  const sans = ['localhost', nodeIp, ...(listenLoopback ? ['127.0.0.1'] : [])];
  const server = writeLeaf(dataDir, 'etcd/server-client', issueLeaf(cas, 'etcd/server-ca', { commonName: 'etcd-server' }, { server: true, client: true }, sans));
  const peer = writeLeaf(dataDir, 'etcd/peer-server-client', issueLeaf(cas, 'etcd/peer-ca', { commonName: 'etcd-peer' }, { server: true, client: true }, sans));
  const client = issueLeaf(cas, 'etcd/server-ca', { commonName: 'etcd-client' }, { client: true });
  writeLeaf(dataDir, 'etcd/client', client);
  const tls = join(tlsDir(dataDir), 'etcd');
  return {
    files: {
      serverCa: join(tls, 'server-ca.crt'),
      peerCa: join(tls, 'peer-ca.crt'),
      serverCrt: server.crt,
      serverKey: server.key,
      peerCrt: peer.crt,
      peerKey: peer.key,
    },
    client: { ca: cas['etcd/server-ca'].crt, cert: client.crt, key: client.key },
  };
}

/**
 * The kubelet's registration: it does not give up when the API cannot write yet (a slow or
 * re-electing etcd answers no put for seconds after a site power-up), it logs and tries again,
 * from 100 ms doubling up to 7 s (kubelet registerWithAPIServer). A 5 s put timeout that ended
 * k3s with level=fatal made systemd restart it, which a real server does not need.
 */
async function registerWithApiServer(register: () => Promise<void>, nodeName: string): Promise<void> {
  for (let step = 100; ; step = Math.min(step * 2, 7_000)) {
    try {
      return await register();
    } catch (e) {
      log('error', `Unable to register node with API server: ${(e as Error).message} (node ${nodeName}); retrying in ${step} ms`);
      await sleep(step);
    }
  }
}

async function waitEtcdHealthy(etcd: EtcdClient, child: ChildProcess): Promise<void> {
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  const deadline = Date.now() + 10 * 60_000;
  while (!(await etcd.health())) {
    if (exited !== null) fatal(`etcd exited with code ${exited} before it became healthy`);
    if (Date.now() > deadline) fatal(`etcd at ${etcd.endpoint} did not become healthy within 10 minutes`);
    await sleep(1_000);
  }
}

export async function runServer(flags: ParsedFlags, argv: string[]): Promise<void> {
  const dataDir = str(flags, 'data-dir') ?? '/var/lib/rancher/k3s';
  const nodeName = (str(flags, 'node-name') ?? hostname()).toLowerCase();
  const bind = str(flags, 'bind-address');
  // Given none of the three, the apiserver picks the default route's address, and cannot without one (netinfo.ts).
  const addressGiven = str(flags, 'node-ip') ?? str(flags, 'advertise-address') ?? (bind && bind !== '0.0.0.0' ? bind : undefined);
  const nodeIp = str(flags, 'node-ip') ?? (addressGiven ? defaultNodeIp() : hostAddressFromRoutes());
  const advertise = str(flags, 'advertise-address') ?? nodeIp;
  const port = Number(str(flags, 'https-listen-port') ?? 6443);
  const serverUrl = str(flags, 'server');
  const given = tokenFrom(str(flags, 'token'), str(flags, 'token-file'));
  redact(given);
  if (given) redact(parseToken(given).secret);
  for (const d of list(flags, 'disable')) log('info', `Disabled component ${d} (the lab double runs no packaged components)`);
  if (flags.recorded.length) log('info', `Accepted flags the lab double does not act on: ${flags.recorded.join(' ')}`);
  log('info', `Starting k3s ${K3S_VERSION} (lab double) as server ${nodeName} on ${nodeIp}`);
  // Every node keeps a node password, servers too; the double checks only agents' (nodePassword.ts).
  ensureNodePassword();
  mkdirSync(join(dataDir, 'server'), { recursive: true, mode: 0o700 });

  const tokenPath = join(dataDir, 'server', 'token');
  let secret: string;
  let cas: CaBundle;
  let initial: { cluster: string; state: 'new' | 'existing' } | undefined;
  let tls: ReturnType<typeof etcdTls> | undefined;
  const listenLoopback = !bind || bind === '0.0.0.0';
  const memberName = () => `${nodeName}-${randomBytes(4).toString('hex')}`;

  if (hasEtcdData(dataDir)) {
    if (!hasCas(dataDir) || !existsSync(tokenPath)) fatal(`etcd data exists in ${etcdDataDir(dataDir)} but the server's CA or token is missing`);
    secret = parseToken(readFileSync(tokenPath, 'utf8')).secret;
    redact(secret);
    if (given && parseToken(given).secret !== secret) {
      fatal('bootstrap data already found and encrypted with different token');
    }
    cas = loadCas(dataDir);
    log('info', `Found existing etcd data in ${etcdDataDir(dataDir)}: resuming this member, not initializing a cluster`);
  } else if (serverUrl) {
    if (!given) fatal('--token is required when joining a server with --server (set K3S_TOKEN or --token-file)');
    log('info', `Joining the cluster through ${serverUrl}`);
    const boot = await fetchBootstrap(serverUrl, given);
    cas = boot.cas;
    writeCas(dataDir, cas);
    secret = parseToken(given).secret;
    tls = etcdTls(dataDir, cas, nodeIp, listenLoopback);
    const name = memberName();
    const cluster = await addAsLearner(new EtcdClient(boot.etcdClientURL, tls.client), name, peerUrl(nodeIp));
    initial = { cluster, state: 'existing' };
    writeDurably(join(dataDir, 'server', 'etcd-member-name'), name);
  } else {
    if (!bool(flags, 'cluster-init')) log('info', 'No --cluster-init and no --server: the lab double has no sqlite datastore, starting embedded etcd');
    cas = hasCas(dataDir) ? loadCas(dataDir) : createCas(dataDir);
    secret = given ? parseToken(given).secret : newSecret();
    redact(secret);
    const name = memberName();
    initial = { cluster: `${name}=${peerUrl(nodeIp)}`, state: 'new' };
    writeDurably(join(dataDir, 'server', 'etcd-member-name'), name);
    log('info', `Initializing a new etcd cluster as member ${name}`);
  }

  const nodeToken = formatNodeToken(caHash(cas['server-ca'].crt), secret);
  writeDurably(tokenPath, nodeToken + '\n', 0o600);
  writeDurably(join(dataDir, 'server', 'node-token'), nodeToken + '\n', 0o600);

  tls ??= etcdTls(dataDir, cas, nodeIp, listenLoopback);
  const memberNameFile = join(dataDir, 'server', 'etcd-member-name');
  const etcdName = existsSync(memberNameFile) ? readFileSync(memberNameFile, 'utf8').trim() : memberName();
  await assertEtcdPortsFree([nodeIp, ...(listenLoopback ? ['127.0.0.1'] : [])]);
  const etcdChild = startEtcd({ name: etcdName, dataDir: etcdDataDir(dataDir), nodeIp, listenLoopback, tls: tls.files, initial });
  const etcd = new EtcdClient(clientUrl(nodeIp), tls.client);

  let api: Server | undefined;
  let heartbeat: NodeHeartbeat | undefined;
  let stopLearners: (() => void) | undefined;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('info', `Received ${signal}, shutting down`);
    heartbeat?.stop();
    stopLearners?.();
    api?.close();
    etcdChild.kill('SIGTERM');
    const force = setTimeout(() => etcdChild.kill('SIGKILL'), 10_000);
    etcdChild.once('exit', () => {
      clearTimeout(force);
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  etcdChild.on('exit', (code, sig) => {
    if (!stopping) {
      log('fatal', `etcd exited unexpectedly (${sig ?? `code ${code}`})`);
      process.exit(1);
    }
  });

  // A joiner's etcd starts as a learner; like k3s, it serves only once the leader promoted it.
  await waitUntilPromoted(etcd);
  await waitEtcdHealthy(etcd, etcdChild);
  log('info', 'etcd is healthy');
  const etcdTlsClient = tls.client;
  stopLearners = manageLearners(etcd, { clientFor: (endpoint) => new EtcdClient(endpoint, etcdTlsClient) });

  const sans = [
    'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'localhost',
    '127.0.0.1', nodeIp, advertise, nodeName, hostname(), ...list(flags, 'tls-san'),
  ];
  const serving = writeLeaf(dataDir, 'serving-kube-apiserver', issueLeaf(cas, 'server-ca', { commonName: 'kube-apiserver' }, { server: true }, [...new Set(sans)]));
  const admin = writeLeaf(dataDir, 'client-admin', issueLeaf(cas, 'client-ca', { commonName: 'system:admin', organization: 'system:masters' }, { client: true }));

  api = await startApi(
    {
      etcd,
      cas,
      token: secret,
      advertise,
      serving: { crt: readFileSync(serving.crt, 'utf8'), key: readFileSync(serving.key, 'utf8') },
      extra: agentHeartbeatRoute(etcd, secret),
    },
    bind ?? '::',
    port,
  );
  log('info', `Kubernetes API (lab double subset) listening on ${bind ?? '*'}:${port}`);

  const reg = { name: nodeName, ip: nodeIp, server: true, labels: list(flags, 'node-label'), args: redactedArgs(['server', ...argv]) };
  heartbeat = new NodeHeartbeat(etcd, nodeName);
  await registerWithApiServer(() => registerNode(etcd, reg).then(() => heartbeat!.beat()), nodeName);
  heartbeat.start();

  const kubeconfigPath = str(flags, 'write-kubeconfig') ?? '/etc/rancher/k3s/k3s.yaml';
  const apiHost = listenLoopback ? '127.0.0.1' : bind!;
  writeKubeconfig(
    kubeconfigPath,
    kubeconfigYaml(`https://${apiHost}:${port}`, cas['server-ca'].crt, readFileSync(admin.crt, 'utf8'), readFileSync(admin.key, 'utf8')),
    str(flags, 'write-kubeconfig-mode'),
  );
  log('info', `Wrote kubeconfig ${kubeconfigPath}`);
  log('info', `Node token is available at ${join(dataDir, 'server', 'node-token')}`);
  await notifyReady('k3s (lab double) is up and running');
  log('info', 'k3s is up and running');
}
