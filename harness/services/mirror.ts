import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { extname, join, posix } from 'node:path';
import { Transform } from 'node:stream';
import { appendAccessEntry, appendStallLine } from './accessLog.ts';
import { parseRange } from './httpRange.ts';
import { MirrorFaults } from './mirrorFaults.ts';

/**
 * One thing the mirror serves. A directory mount serves every file below `dir` under
 * `urlPath` (which ends in `/`); a file mount serves one file at exactly `urlPath`.
 * The longest matching mount wins, so `/k3s/releases/download/v1/` can sit under `/k3s/`.
 */
export type MirrorMount = { urlPath: string; dir: string } | { urlPath: string; file: string };

export interface MirrorOptions {
  /** Address to listen on: the lab's server address inside the namespace, 127.0.0.1 in tests. */
  host: string;
  /** 0 picks a free port (tests); the lab uses the scenario's mirror port. */
  port: number;
  mounts: MirrorMount[];
  /** Every request is appended here as one line (see accessLog.ts). */
  accessLog: string;
  /** A download that takes no data for this long gets a STALLED line (default 15 s). */
  stallAfterMs?: number;
  /** Fault rules a scenario writes (see mirrorFaults.ts); re-read when the file changes. */
  faultsFile?: string;
}

export interface Mirror {
  /** `http://host:port`, no trailing slash. */
  url: string;
  port: number;
  close(): Promise<void>;
}

const contentTypes: Record<string, string> = {
  '.ign': 'application/vnd.coreos.ignition+json',
  '.json': 'application/json',
  '.sh': 'text/x-shellscript',
  '.txt': 'text/plain; charset=utf-8',
  '.sig': 'application/pgp-signature',
  '.asc': 'application/pgp-signature',
};

function contentTypeOf(path: string): string {
  return contentTypes[extname(path)] ?? 'application/octet-stream';
}

/** Validates mounts up front: a typo in a mount is a programming error, not a 404 at run time. */
function checkMounts(mounts: MirrorMount[]): void {
  for (const m of mounts) {
    if (!m.urlPath.startsWith('/')) throw new Error(`mirror mount ${m.urlPath}: URL path must start with /`);
    if ('dir' in m && !m.urlPath.endsWith('/')) throw new Error(`mirror mount ${m.urlPath}: a directory mount must end with /`);
    if ('file' in m && m.urlPath.endsWith('/')) throw new Error(`mirror mount ${m.urlPath}: a file mount must not end with /`);
  }
}

/** The file on disk a URL path names, or undefined. Never leaves a mount's directory. */
export function resolveMountPath(mounts: MirrorMount[], urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const normal = posix.normalize(decoded);
  if (normal !== decoded || normal.split('/').includes('..')) return undefined;
  let best: { mount: MirrorMount; score: number } | undefined;
  for (const m of mounts) {
    const hit = 'file' in m ? normal === m.urlPath : normal.startsWith(m.urlPath) && normal.length > m.urlPath.length;
    if (hit && (!best || m.urlPath.length > best.score)) best = { mount: m, score: m.urlPath.length };
  }
  if (!best) return undefined;
  const m = best.mount;
  if ('file' in m) return m.file;
  return join(m.dir, normal.slice(m.urlPath.length));
}

/** Counts what really went out, so the access log's bytes are true for aborted downloads too. */
function byteCounter(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
}

interface Timing {
  start: number;
  time: Date;
  streamed?: number;
}

interface Download {
  clientIp: string;
  path: string;
  total: number;
  timing: Timing;
  lastBytes: number;
  lastMoved: number;
  reported: boolean;
}

/**
 * Notices downloads that stop moving with the connection still open. A PXE bootloader's TCP
 * stack can stop answering part-way through a 150 MiB initrd and never recover; the line
 * lets whoever watches the log (the runner, a person) act at once instead of after a timeout.
 */
function watchDownloads(accessLog: string, stallAfterMs: number): { add(d: Download): void; remove(d: Download): void; stop(): void } {
  const active = new Set<Download>();
  const timer = setInterval(() => {
    const now = performance.now();
    for (const d of active) {
      const bytes = d.timing.streamed ?? 0;
      if (bytes !== d.lastBytes) {
        d.lastBytes = bytes;
        d.lastMoved = now;
        d.reported = false;
      } else if (!d.reported && now - d.lastMoved >= stallAfterMs) {
        d.reported = true;
        appendStallLine(accessLog, { time: new Date(), clientIp: d.clientIp, path: d.path, bytes, total: d.total, idleMs: Math.round(now - d.lastMoved) });
      }
    }
  }, Math.min(1000, Math.max(50, stallAfterMs / 4)));
  timer.unref();
  return { add: (d) => active.add(d), remove: (d) => active.delete(d), stop: () => clearInterval(timer) };
}

const clientIpOf = (req: FastifyRequest) => (req.socket.remoteAddress ?? '?').replace(/^::ffff:/, '');

export function buildMirror(opts: Omit<MirrorOptions, 'host' | 'port'>): FastifyInstance {
  checkMounts(opts.mounts);
  const app = Fastify({ logger: false, exposeHeadRoutes: false, keepAliveTimeout: 5000 });
  const timing = new WeakMap<FastifyRequest, Timing>();
  const downloads = watchDownloads(opts.accessLog, opts.stallAfterMs ?? 15_000);
  const faults = new MirrorFaults(opts.faultsFile);
  app.addHook('onClose', async () => downloads.stop());

  app.addHook('onRequest', async (req, reply) => {
    const t: Timing = { start: performance.now(), time: new Date() };
    timing.set(req, t);
    // On 'close' rather than fastify's onResponse: it also fires when a client aborts a download.
    reply.raw.once('close', () => {
      const sent = t.streamed ?? (reply.raw.writableFinished ? Number(reply.raw.getHeader('content-length') ?? 0) : 0);
      appendAccessEntry(opts.accessLog, {
        time: t.time,
        clientIp: clientIpOf(req),
        method: req.method,
        path: req.url,
        status: reply.raw.statusCode,
        bytes: req.method === 'HEAD' ? 0 : sent,
        durationMs: Math.round(performance.now() - t.start),
      });
    });
  });

  const serve = async (req: FastifyRequest, reply: FastifyReply) => {
    const urlPath = req.url.split('?')[0] ?? '/';
    const fault = faults.take(urlPath);
    if (fault?.action === 'stall') {
      // No answer: the request stays open until the client gives up (or the mirror closes). The
      // access log then says 499, nginx's "client closed request", as nothing was ever sent.
      reply.raw.statusCode = 499;
      reply.hijack();
      return;
    }
    if (fault) return reply.code(fault.action).type('text/plain').send(`lab fault ${fault.id}: ${fault.action === 404 ? 'not found' : 'service unavailable'}\n`);
    const file = resolveMountPath(opts.mounts, urlPath);
    const info = file ? await stat(file).catch(() => undefined) : undefined;
    if (!file || !info?.isFile()) return reply.code(404).type('text/plain').send(`not in the lab mirror: ${urlPath}\n`);

    reply.header('accept-ranges', 'bytes');
    reply.header('last-modified', info.mtime.toUTCString());
    reply.type(contentTypeOf(file));
    const range = parseRange(req.headers.range, info.size);
    if (range === 'unsatisfiable') {
      reply.header('content-range', `bytes */${info.size}`);
      return reply.code(416).send();
    }
    const { start, end } = range ?? { start: 0, end: info.size - 1 };
    if (range) reply.code(206).header('content-range', `bytes ${start}-${end}/${info.size}`);
    const length = info.size === 0 ? 0 : end - start + 1;
    reply.header('content-length', length);
    if (req.method === 'HEAD' || length === 0) return reply.send();
    const t = timing.get(req);
    if (t) {
      t.streamed = 0;
      const download: Download = { clientIp: clientIpOf(req), path: urlPath, total: length, timing: t, lastBytes: 0, lastMoved: performance.now(), reported: false };
      downloads.add(download);
      reply.raw.once('close', () => downloads.remove(download));
    }
    const stream = createReadStream(file, { start, end }).pipe(
      byteCounter((n) => {
        if (t) t.streamed = (t.streamed ?? 0) + n;
      }),
    );
    return reply.send(stream);
  };

  app.route({ method: ['GET', 'HEAD'], url: '/*', handler: serve });
  return app;
}

/** Starts the mirror in this process; `close()` stops it and waits for open downloads to end. */
export async function startMirror(opts: MirrorOptions): Promise<Mirror> {
  const app = buildMirror(opts);
  await app.listen({ host: opts.host, port: opts.port });
  const port = (app.server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`,
    port,
    close: async () => {
      app.server.closeAllConnections?.();
      await app.close();
    },
  };
}
