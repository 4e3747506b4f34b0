import { connect as netConnect } from 'node:net';
import type { NodeConsole } from '../guest/console.ts';
import { LabError } from '../errors.ts';
import type { PhaseTracker } from './phaseTracker.ts';
import type { Phase } from './phases.ts';
import { describe as describeEvent, type TerminalEvent } from './terminal/terminalEvent.ts';

/**
 * A condition to wait for. `check` returns a value when done and undefined to keep waiting;
 * throwing fails the wait at once. The timeout is a base figure (one VM, TCG), scaled per run.
 */
export interface Wait<T> {
  what: string;
  /** The node this wait is about; its phase and console tail go into a timeout's message. */
  node?: string;
  baseTimeoutMs: number;
  check(): T | undefined | Promise<T | undefined>;
  pollMs?: number;
}

/** What a wait needs from the run: the timeout scale and how to describe a node when it fails. */
export interface WaitEnv {
  scale: number;
  phaseOf(node: string): Phase | undefined;
  consoleTail(node: string, n: number): string[];
  /** A node's terminal event (a flow unit failed for good, a bad console line): waits on it stop at once. */
  failureOf(node: string): TerminalEvent | undefined;
  /** Any node's terminal event in its current boot: ends a wait that is about the whole cluster. */
  anyFailure?(): TerminalEvent | undefined;
  /** The last thing the lab saw of the node, for a timeout on a node whose console is silent. */
  lastSeen?(node: string): string | undefined;
  signal?: AbortSignal;
}

const tailLines = 30;

/** A wait ran out of time: names the node, the phase it reached, what was awaited, and its console. */
export class WaitTimeout extends LabError {
  constructor(
    readonly what: string,
    readonly node: string | undefined,
    readonly phase: Phase | undefined,
    readonly timeoutMs: number,
    readonly consoleTail: string[],
    readonly lastSeen?: string,
  ) {
    const who = node ? `${node} (reached: ${phase ?? 'nothing yet'})` : 'lab';
    super(`${who}: timed out after ${formatMs(timeoutMs)} waiting for ${what}${tailBlock(node, consoleTail, lastSeen)}`);
    this.name = 'WaitTimeout';
  }
}

/** A node had a terminal event: the wait on it ends at once, quoting the event. */
export class NodeFailed extends LabError {
  constructor(
    readonly node: string,
    readonly phase: Phase | undefined,
    readonly event: TerminalEvent,
    readonly what?: string,
  ) {
    const waiting = what ? ` (reached: ${phase ?? 'nothing yet'}; was waiting for ${what})` : ` (reached: ${phase ?? 'nothing yet'})`;
    const [first, ...rest] = describeEvent(event).split('\n');
    super([`${first}${waiting}`, ...rest].join('\n'));
    this.name = 'NodeFailed';
  }
}

function tailBlock(node: string | undefined, tail: string[], lastSeen: string | undefined): string {
  if (!node) return '';
  if (tail.length === 0) return `\nlast console lines of ${node}: (none)${lastSeen ? `\nlast seen by the lab: ${lastSeen}` : ''}`;
  return `\nlast ${tail.length} console lines of ${node}:\n${tail.map((l) => `  | ${l}`).join('\n')}`;
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${String(s % 60).padStart(2, '0')} s`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Runs a wait to its end: its value, a WaitTimeout, a NodeFailed, or the abort reason. */
export async function waitFor<T>(wait: Wait<T>, env: WaitEnv): Promise<T> {
  const timeoutMs = wait.baseTimeoutMs * env.scale;
  const deadline = Date.now() + timeoutMs;
  const pollMs = wait.pollMs ?? 500;
  for (;;) {
    if (env.signal?.aborted) throw env.signal.reason instanceof Error ? env.signal.reason : new LabError(`stopped waiting for ${wait.what}`);
    const failure = wait.node ? env.failureOf(wait.node) : env.anyFailure?.();
    if (failure) throw new NodeFailed(failure.node, env.phaseOf(failure.node), failure, wait.what);
    const value = await wait.check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) {
      throw new WaitTimeout(wait.what, wait.node, wait.node ? env.phaseOf(wait.node) : undefined, timeoutMs, wait.node ? env.consoleTail(wait.node, tailLines) : [], wait.node ? env.lastSeen?.(wait.node) : undefined);
    }
    await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())), env.signal);
  }
}

// ---- the small waits ----

export function phaseReached(tracker: PhaseTracker, node: string, phase: Phase, baseTimeoutMs: number): Wait<Phase> {
  return {
    what: `phase ${phase}`,
    node,
    baseTimeoutMs,
    pollMs: 250,
    check: () => (tracker.reached(node, phase) ? phase : undefined),
  };
}

/** A console line matching `pattern`, in the given boot (default: any boot from `sinceBoot` on). */
export function consoleLine(console: NodeConsole, pattern: RegExp, baseTimeoutMs: number, opts: { sinceBoot?: number } = {}): Wait<string> {
  const sinceBoot = opts.sinceBoot ?? 0;
  return {
    what: `console line ${pattern}`,
    node: console.node,
    baseTimeoutMs,
    pollMs: 250,
    check: async () => {
      await console.poll();
      return console.lines().find((l) => l.boot >= sinceBoot && pattern.test(l.text))?.text;
    },
  };
}

/** A way to reach a TCP port: plain `net.connect` on the host, or a path into the lab's namespace. */
export type Connector = (host: string, port: number) => Promise<{ destroy(): void }>;

export const hostConnector: Connector = (host, port) =>
  new Promise((resolve, reject) => {
    const socket = netConnect({ host, port, timeout: 3000 });
    socket.once('connect', () => resolve(socket));
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error('connect timed out'));
    });
    socket.once('error', reject);
  });

export function portOpen(host: string, port: number, baseTimeoutMs: number, opts: { node?: string; connect?: Connector } = {}): Wait<true> {
  const connect = opts.connect ?? hostConnector;
  return {
    what: `port ${host}:${port} to accept connections`,
    node: opts.node,
    baseTimeoutMs,
    pollMs: 1000,
    check: async () => {
      try {
        (await connect(host, port)).destroy();
        return true;
      } catch {
        return undefined;
      }
    },
  };
}

/** A way to GET a URL and learn the status (the lab's namespace may need its own path). */
export type StatusGetter = (url: string) => Promise<number>;

export const hostStatusGetter: StatusGetter = async (url) => {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  await res.body?.cancel();
  return res.status;
};

export function http200(url: string, baseTimeoutMs: number, opts: { node?: string; get?: StatusGetter } = {}): Wait<true> {
  const get = opts.get ?? hostStatusGetter;
  return {
    what: `HTTP 200 from ${url}`,
    node: opts.node,
    baseTimeoutMs,
    pollMs: 1000,
    check: async () => {
      try {
        return (await get(url)) === 200 ? true : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

/** Any condition given as a function (an API answer, a file appearing). */
export function condition<T>(what: string, baseTimeoutMs: number, check: () => T | undefined | Promise<T | undefined>, opts: { node?: string; pollMs?: number } = {}): Wait<T> {
  return { what, node: opts.node, baseTimeoutMs, check, pollMs: opts.pollMs };
}

/**
 * Every wait done, each with its own timeout measured from the start. The first failure
 * (a timeout naming its node, or a node failing) ends the whole wait and stops the others.
 */
export async function waitForAll<T>(waits: Wait<T>[], env: WaitEnv): Promise<T[]> {
  const stop = new AbortController();
  const signal = env.signal ? AbortSignal.any([env.signal, stop.signal]) : stop.signal;
  try {
    return await Promise.all(waits.map((w) => waitFor(w, { ...env, signal })));
  } finally {
    stop.abort();
  }
}
