import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/**
 * One request the mirror answered. Written as one space-separated line so a person can
 * `grep 10.0.0.71` it and the runner can parse it back:
 * `<ISO time> <client ip> <method> <path> <status> <bytes sent> <duration>ms`
 * (time is when the request arrived; bytes are what was actually written, so an aborted
 * download shows fewer bytes than the file has).
 */
export interface AccessEntry {
  time: Date;
  clientIp: string;
  method: string;
  path: string;
  status: number;
  bytes: number;
  durationMs: number;
}

export function formatAccessLine(e: AccessEntry): string {
  return `${e.time.toISOString()} ${e.clientIp} ${e.method} ${e.path} ${e.status} ${e.bytes} ${e.durationMs}ms`;
}

const linePattern = /^(\S+) (\S+) ([A-Z]+) (\S+) (\d{3}) (\d+) (\d+)ms$/;

/** The entry on a line, or undefined for a line that is not one (a torn last line while the mirror writes). */
export function parseAccessLine(line: string): AccessEntry | undefined {
  const m = linePattern.exec(line.trim());
  if (!m) return undefined;
  const time = new Date(m[1]!);
  if (Number.isNaN(time.getTime())) return undefined;
  return {
    time,
    clientIp: m[2]!,
    method: m[3]!,
    path: m[4]!,
    status: Number(m[5]),
    bytes: Number(m[6]),
    durationMs: Number(m[7]),
  };
}

/**
 * A download that stopped moving while its connection stayed open: the client took no more
 * data for `idleMs`. Written when noticed, before the request ends (its entry comes at close):
 * `<ISO time> <client ip> STALLED <path> <bytes sent>/<bytes total> <idle>ms`
 */
export interface StalledDownload {
  time: Date;
  clientIp: string;
  path: string;
  bytes: number;
  total: number;
  idleMs: number;
}

export function formatStallLine(s: StalledDownload): string {
  return `${s.time.toISOString()} ${s.clientIp} STALLED ${s.path} ${s.bytes}/${s.total} ${s.idleMs}ms`;
}

const stallPattern = /^(\S+) (\S+) STALLED (\S+) (\d+)\/(\d+) (\d+)ms$/;

export function parseStallLine(line: string): StalledDownload | undefined {
  const m = stallPattern.exec(line.trim());
  if (!m) return undefined;
  const time = new Date(m[1]!);
  if (Number.isNaN(time.getTime())) return undefined;
  return { time, clientIp: m[2]!, path: m[3]!, bytes: Number(m[4]), total: Number(m[5]), idleMs: Number(m[6]) };
}

export function appendStallLine(file: string, s: StalledDownload): void {
  appendFileSync(file, formatStallLine(s) + '\n');
}

export function appendAccessEntry(file: string, e: AccessEntry): void {
  // Synchronous append: a line is on disk even if the mirror is killed right after.
  appendFileSync(file, formatAccessLine(e) + '\n');
}

/** Every entry in an access log so far; a missing file means nothing was fetched yet. */
export function readAccessLog(file: string): AccessEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map(parseAccessLine)
    .filter((e): e is AccessEntry => e !== undefined);
}

export interface FetchQuery {
  clientIp?: string;
  /** An exact path (query string ignored) or a pattern tested against the path. */
  path?: string | RegExp;
  /** Only successful fetches (2xx) unless false. */
  okOnly?: boolean;
}

function pathOnly(path: string): string {
  const q = path.indexOf('?');
  return q === -1 ? path : path.slice(0, q);
}

export function matchesFetch(e: AccessEntry, q: FetchQuery): boolean {
  if (q.clientIp !== undefined && e.clientIp !== q.clientIp) return false;
  if ((q.okOnly ?? true) && (e.status < 200 || e.status > 299)) return false;
  if (q.path === undefined) return true;
  return typeof q.path === 'string' ? pathOnly(e.path) === q.path : q.path.test(pathOnly(e.path));
}

export function findFetches(entries: AccessEntry[], q: FetchQuery): AccessEntry[] {
  return entries.filter((e) => matchesFetch(e, q));
}

/** A sentence for progress lines and reports: "10.0.0.71 fetched /ignition/node-2-ignite-boot.ign at …". */
export function describeFetch(e: AccessEntry): string {
  return `${e.clientIp} fetched ${e.path} at ${e.time.toISOString()} (${e.status}, ${e.bytes} bytes)`;
}

/**
 * Resolves with the first entry that matches, polling the log file. Rejects after timeoutMs
 * with what it waited for, so a failed phase says which fetch never came.
 */
export async function waitForFetch(
  file: string,
  q: FetchQuery,
  opts: { timeoutMs: number; pollMs?: number; signal?: AbortSignal },
): Promise<AccessEntry> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const hit = readAccessLog(file).find((e) => matchesFetch(e, q));
    if (hit) return hit;
    if (opts.signal?.aborted) throw new Error(`stopped waiting for ${describeQuery(q)}`);
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${describeQuery(q)} in ${file}`);
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
  }
}

function describeQuery(q: FetchQuery): string {
  const who = q.clientIp ?? 'any client';
  const what = q.path === undefined ? 'anything' : String(q.path);
  return `${who} to fetch ${what}`;
}
