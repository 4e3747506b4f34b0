/**
 * The HTTPS listener on :6443: the supervisor routes k3s serves there (/cacerts, /ping, the token-checked
 * /v1-k3s/server-bootstrap) and the part of the Kubernetes API a client needs to list nodes.
 * Kubernetes paths need the admin client certificate (client-ca); health and /version are public.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { EtcdClient } from '../etcd/client.ts';
import { log } from '../log.ts';
import type { CaBundle } from '../pki.ts';
import { K3S_VERSION, KUBERNETES_VERSION, DOUBLE_VERSION } from '../version.ts';
import { deleteNode, getNode, listNodes } from './nodes.ts';
import { nodeTable, wantsTable } from './table.ts';

export interface ApiContext {
  etcd: EtcdClient;
  cas: CaBundle;
  token: string;
  serving: { crt: string; key: string };
  advertise: string;
  /** Extra routes (the agent heartbeat) keyed by "METHOD path". */
  extra?: Record<string, (req: IncomingMessage, body: string, res: ServerResponse) => Promise<void>>;
}

function send(res: ServerResponse, code: number, body: unknown, type = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  send(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

/** Checks `Authorization: Basic <user>:<token>`; k3s accepts either the bare token or the K10 form's secret. */
export function basicAuthMatches(req: IncomingMessage, user: string, token: string): boolean {
  const h = req.headers.authorization ?? '';
  if (!h.startsWith('Basic ')) return false;
  const [u, ...rest] = Buffer.from(h.slice(6), 'base64').toString('utf8').split(':');
  const given = Buffer.from(rest.join(':'));
  const want = Buffer.from(token);
  return u === user && given.length === want.length && timingSafeEqual(given, want);
}

const clientIp = (req: IncomingMessage) => (req.socket.remoteAddress ?? '?').replace(/^::ffff:/, '');

export function versionInfo(): Record<string, string> {
  const [major, minor] = KUBERNETES_VERSION.replace(/^v/, '').split('.');
  return {
    major: major!,
    minor: minor!,
    gitVersion: K3S_VERSION,
    gitCommit: `lab-double-${DOUBLE_VERSION}`,
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: `none (flatcar-k3s-lab double on node ${process.version})`,
    compiler: 'none',
    platform: 'linux/amd64',
  };
}

export function startApi(ctx: ApiContext, bind: string, port: number): Promise<Server> {
  const server = createServer(
    { cert: ctx.serving.crt, key: ctx.serving.key, ca: ctx.cas['client-ca'].crt, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        handle(ctx, req, Buffer.concat(chunks).toString('utf8'), res).catch((e: Error) => {
          log('error', `API ${req.method} ${req.url}: ${e.message}`);
          if (!res.headersSent) status(res, 503, 'ServiceUnavailable', `the datastore did not answer: ${e.message}`);
        });
      });
    },
  );
  const listen = (host: string) =>
    new Promise<Server>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  // "::" also takes IPv4; a kernel booted without IPv6 refuses it, and 0.0.0.0 is what is left.
  return listen(bind).catch((e: NodeJS.ErrnoException) => {
    if (bind === '::' && (e.code === 'EAFNOSUPPORT' || e.code === 'EADDRNOTAVAIL')) return listen('0.0.0.0');
    throw e;
  });
}

async function handle(ctx: ApiContext, req: IncomingMessage, body: string, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://x');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';

  const extra = ctx.extra?.[`${method} ${path}`];
  if (extra) return extra(req, body, res);

  if (method === 'GET') {
    switch (path) {
      case '/cacerts':
        return send(res, 200, ctx.cas['server-ca'].crt, 'text/plain');
      case '/ping':
        return send(res, 200, 'pong', 'text/plain');
      case '/version':
        return send(res, 200, versionInfo());
      case '/healthz':
      case '/livez':
        return send(res, 200, 'ok', 'text/plain');
      case '/readyz':
        return (await ctx.etcd.health())
          ? send(res, 200, 'ok', 'text/plain')
          : send(res, 500, '[-]etcd failed: etcd cluster is unavailable or misconfigured\nreadyz check failed\n', 'text/plain');
      case '/v1-k3s/server-bootstrap':
        if (!basicAuthMatches(req, 'server', ctx.token)) {
          log('warning', `Refused server join from ${clientIp(req)}: the token does not match this cluster's token`);
          return status(res, 401, 'Unauthorized', 'Unauthorized');
        }
        log('info', `Handing cluster bootstrap data to joining server ${clientIp(req)}`);
        return send(res, 200, { cas: ctx.cas, etcdClientURL: `https://${ctx.advertise}:2379` });
    }
  }

  // Everything below is the Kubernetes API proper: admin client certificate only.
  if (!(req.socket as TLSSocket).authorized) return status(res, 401, 'Unauthorized', 'Unauthorized');
  const oneNode = /^\/api\/v1\/nodes\/([^/]+)$/.exec(path);
  if (method === 'DELETE' && oneNode) {
    const name = decodeURIComponent(oneNode[1]!);
    const node = await getNode(ctx.etcd, name);
    if (!node) return status(res, 404, 'NotFound', `nodes "${name}" not found`);
    await deleteNode(ctx.etcd, name);
    return send(res, 200, node);
  }
  if (method !== 'GET') return status(res, 405, 'MethodNotAllowed', `the lab double serves only GET on ${path} (and DELETE on a node)`);

  if (path === '/api') {
    return send(res, 200, {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `${ctx.advertise}:6443` }],
    });
  }
  if (path === '/apis') return send(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
  if (path === '/api/v1') {
    return send(res, 200, {
      kind: 'APIResourceList',
      groupVersion: 'v1',
      resources: [{ name: 'nodes', singularName: 'node', namespaced: false, kind: 'Node', verbs: ['get', 'list'], shortNames: ['no'] }],
    });
  }
  if (path === '/api/v1/nodes') {
    const { items, resourceVersion } = await listNodes(ctx.etcd);
    if (wantsTable(req.headers.accept)) return send(res, 200, nodeTable(items, resourceVersion));
    return send(res, 200, { kind: 'NodeList', apiVersion: 'v1', metadata: { resourceVersion }, items });
  }
  const one = /^\/api\/v1\/nodes\/([^/]+)$/.exec(path);
  if (one) {
    const name = decodeURIComponent(one[1]!);
    const node = await getNode(ctx.etcd, name);
    if (!node) return status(res, 404, 'NotFound', `nodes "${name}" not found`);
    return send(res, 200, wantsTable(req.headers.accept) ? nodeTable([node], node.metadata.resourceVersion) : node);
  }
  return status(res, 404, 'NotFound', `the server could not find the requested resource (the lab double serves nodes only)`);
}
