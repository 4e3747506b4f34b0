import { availabilityOf } from '../availability.ts';
import type { Assertion } from './types.ts';

/** No outage longer than this counts as the API having kept answering (a leader election, a slow poll). */
export const longestTolerableOutageMs = 10_000;

/** From the API's first answer to the end of the run, no outage longer than a few seconds. */
export const apiKeptAnswering: Assertion = {
  name: 'api-kept-answering',
  description: `the Kubernetes API, polled each second, never went unanswered for more than ${longestTolerableOutageMs / 1000} s`,
  check(evidence) {
    const samples = evidence.apiSamples ?? [];
    const a = availabilityOf(samples, samples[0]?.at ?? 0);
    if (!a) return { name: this.name, ok: false, detail: 'FAIL — the API never answered' };
    const ok = a.longestOutageMs <= longestTolerableOutageMs;
    const s = (ms: number) => `${Math.round(ms / 1000)} s`;
    return { name: this.name, ok, detail: `${ok ? 'ok' : 'FAIL'} — answered ${s(a.answeredMs)} of ${s(a.answeredMs + a.unansweredMs)}, longest outage ${s(a.longestOutageMs)} (tolerated ${s(longestTolerableOutageMs)}), ${a.samples} samples` };
  },
};
