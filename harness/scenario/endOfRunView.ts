import { oneLine } from '../errors.ts';
import type { ApiSample } from './availability.ts';
import type { ClusterView } from './evidence.ts';
import type { LabAccess } from './labAccess.ts';

export interface EndOfRunView {
  view: ClusterView;
  /** When the answer that gave `view` was asked for (or the last try, when none answered). */
  at: number;
  /** The tries that got no answer, as availability samples. */
  unanswered: ApiSample[];
}

/**
 * The cluster as the run leaves it, read before the SSH probes: under TCG a probe's SSH handshake,
 * sudo and journal dump on the API node take seconds of its one vCPU, and read at the same time the
 * API's datastore calls timed out (HTTP 503) on a cluster the poll had just seen whole. One
 * unanswered read is one sample of availability, not proof that a node is missing, so it asks
 * `tries` times, `gapMs` apart; an API that stays away still fails the run with its last error.
 */
export async function readEndOfRunView(access: LabAccess, tries = 3, gapMs = 5_000, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<EndOfRunView> {
  const unanswered: ApiSample[] = [];
  let error = 'not read';
  let at = Date.now();
  for (let i = 0; i < tries; i++) {
    if (i > 0) await sleep(gapMs);
    at = Date.now();
    try {
      return { view: await access.cluster(), at, unanswered };
    } catch (e) {
      error = oneLine(e);
      unanswered.push({ at, ok: false, nodes: [] });
    }
  }
  return { view: { nodes: [], error }, at, unanswered };
}
