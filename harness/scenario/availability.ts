/**
 * The Kubernetes API's availability over a run, as a client sees it: the runner asks the API for
 * its nodes about once a second once it first answered, and each answer (or its failure) is a
 * sample. An outage runs from the first failed sample to the next answered one.
 */
export interface ApiSample {
  /** When the request was sent (ms since the epoch). */
  at: number;
  ok: boolean;
  /** The nodes listed Ready in that answer. */
  ready: string[];
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
