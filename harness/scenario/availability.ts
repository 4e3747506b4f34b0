/**
 * The Kubernetes API's availability over a run, as a client sees it: the runner asks the API for
 * its nodes about once a second once it first answered, and each answer (or its failure) is a
 * sample. An outage runs from the first failed sample to the next answered one.
 */
export interface ApiSample {
  /** When the request was sent (ms since the epoch). */
  at: number;
  ok: boolean;
  /** The nodes as that answer listed them: Ready or not, and their last heartbeat (the API's clock). */
  nodes: { name: string; ready: boolean; heartbeat?: string }[];
}

/** An answered sample from the API's node list, as a cluster view holds it. */
export function answeredSample(at: number, nodes: readonly { name: string; ready: boolean; lastHeartbeat?: string }[]): ApiSample {
  return { at, ok: true, nodes: nodes.map((n) => ({ name: n.name, ready: n.ready, ...(n.lastHeartbeat ? { heartbeat: n.lastHeartbeat } : {}) })) };
}

/**
 * The nodes that are Ready *now* in a sample: listed Ready with a heartbeat newer than the newest
 * one seen before `since` (the fault's start) and, when given, newer than `after` (the fault's
 * end). After a power loss the API answers again before the other nodes do, and lists them Ready
 * from their old heartbeats until the node monitor notices. A renewal between the poll's last
 * sample and the cut is newer than any sample, and etcd keeps that lease alive: leases expire only
 * on a leader, and a new leader first extends them all by their TTL (etcd lessor's Promote), so
 * the node reads Ready from it until quorum has held for a TTL. A heartbeat after the power came
 * back cannot be that one. It is the node's clock, which after a boot follows the host's RTC; a
 * cut lasts seconds, and a node that booted again beats only after it has booted.
 */
export function freshlyReady(samples: readonly ApiSample[], since: number, after?: number): (s: ApiSample) => string[] {
  const before = new Map<string, number>();
  for (const s of samples) {
    if (s.at >= since) break;
    for (const n of s.nodes) {
      const t = n.heartbeat ? Date.parse(n.heartbeat) : Number.NaN;
      if (!Number.isNaN(t)) before.set(n.name, Math.max(before.get(n.name) ?? 0, t));
    }
  }
  const newer = (name: string, heartbeat: string | undefined): boolean => {
    const t = heartbeat === undefined ? Number.NaN : Date.parse(heartbeat);
    if (after !== undefined && !(t > after)) return false;
    return !before.has(name) || t > before.get(name)!;
  };
  return (s) => s.nodes.filter((n) => n.ready && newer(n.name, n.heartbeat)).map((n) => n.name);
}

export interface Availability {
  /** Offsets from the start of the run: the first answer, and the last sample. */
  fromMs: number;
  toMs: number;
  samples: number;
  answeredMs: number;
  unansweredMs: number;
  longestOutageMs: number;
  outages: { startMs: number; endMs: number }[];
}

export function availabilityOf(samples: readonly ApiSample[], start: number): Availability | undefined {
  const first = samples.findIndex((s) => s.ok);
  if (first < 0) return undefined;
  const from = samples[first]!.at;
  const to = samples.at(-1)!.at;
  const outages: { startMs: number; endMs: number }[] = [];
  let down: number | undefined;
  for (const s of samples.slice(first)) {
    if (!s.ok && down === undefined) down = s.at;
    if (s.ok && down !== undefined) {
      outages.push({ startMs: down - start, endMs: s.at - start });
      down = undefined;
    }
  }
  if (down !== undefined) outages.push({ startMs: down - start, endMs: to - start });
  const unanswered = outages.reduce((sum, o) => sum + (o.endMs - o.startMs), 0);
  return {
    fromMs: from - start,
    toMs: to - start,
    samples: samples.length - first,
    answeredMs: to - from - unanswered,
    unansweredMs: unanswered,
    longestOutageMs: Math.max(0, ...outages.map((o) => o.endMs - o.startMs)),
    outages,
  };
}

/** `answered 412 s of 430 s (95.8 %), longest outage 18 s, 1 outage` */
export function formatAvailability(a: Availability): string {
  const total = a.answeredMs + a.unansweredMs;
  const pct = total > 0 ? ((100 * a.answeredMs) / total).toFixed(1) : '100.0';
  const s = (ms: number) => `${Math.round(ms / 1000)} s`;
  return `answered ${s(a.answeredMs)} of ${s(total)} (${pct} %), longest outage ${s(a.longestOutageMs)}, ${a.outages.length} outage${a.outages.length === 1 ? '' : 's'}`;
}
