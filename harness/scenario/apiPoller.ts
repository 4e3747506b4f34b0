import { oneLine } from '../errors.ts';
import { answeredSample, type ApiSample } from './availability.ts';
import type { LabAccess } from './labAccess.ts';
import { firstServer } from './model.ts';
import type { ObservationLog } from './observations.ts';
import type { PhaseTracker } from './phaseTracker.ts';
import type { NodeSpec } from './topology.ts';

/** Once the API has answered: one request a second, each given this long before it counts as unanswered. */
export const availabilityPollMs = 1_000;
export const availabilityTimeoutMs = 5_000;

export interface ApiPoll {
  samples: readonly ApiSample[];
  stop(): void;
}

/**
 * Polls the API while the scenario runs: a node the API lists proves k3s-ready (its k3s registered
 * it); listed Ready proves joined. Until the first server's console says k3s started there is no
 * kubeconfig to read yet, and each try costs that node an SSH handshake (seconds of CPU under TCG)
 * while it is busy starting k3s, so it tries only every 15 polls then, in case that line never comes.
 * Once k3s has started there, a failing poll is news (the run key refused, the API gone): each new
 * reason is noted once, so a run that cannot see its cluster says why long before its timeout.
 * Once the API has answered, it is asked every second with a short deadline, and each answer or
 * failure is a sample of its availability (a client's view: how long it could not read the API).
 */
export function pollCluster(access: LabAccess, nodes: NodeSpec[], log: ObservationLog, tracker: PhaseTracker, everyMs: number, note: (text: string) => void): ApiPoll {
  const apiNode = firstServer({ nodes });
  let stopped = false;
  let busy = false;
  let lastTry = 0;
  /** Reasons noted since the API last answered: an outage says each once, not once a second. */
  const noted = new Set<string>();
  const samples: ApiSample[] = [];
  const tick = Math.min(everyMs, availabilityPollMs);
  const timer = setInterval(async () => {
    if (busy || stopped || !nodes.some((n) => tracker.reached(n.name, 'k3s-install'))) return;
    const apiUp = apiNode !== undefined && tracker.reached(apiNode.name, 'k3s-ready');
    const sampling = samples.some((x) => x.ok);
    const wait = sampling ? availabilityPollMs : apiUp ? everyMs : everyMs * 15;
    if (Date.now() - lastTry < wait) return;
    busy = true;
    lastTry = Date.now();
    const sentAt = lastTry;
    try {
      const view = await access.cluster({ etcd: false, ...(sampling ? { timeoutMs: availabilityTimeoutMs } : {}) });
      const at = Date.now();
      if (noted.size) note(`${apiNode?.name ?? 'the API'}: the API answers again`);
      noted.clear();
      samples.push(answeredSample(sentAt, view.nodes));
      for (const v of view.nodes) {
        if (!nodes.some((n) => n.name === v.name)) continue;
        // A node on a new disk: the API lists its old self (Ready on old heartbeats) until it
        // registers again; only a heartbeat from after the new disk went in is news.
        const since = tracker.diskSince(v.name);
        if (since !== undefined && !(v.lastHeartbeat && Date.parse(v.lastHeartbeat) > since)) continue;
        if (!tracker.reached(v.name, 'k3s-ready')) log.add({ at, node: v.name, source: 'api', kind: 'api-listed', detail: `API lists ${v.name}`, phase: 'k3s-ready' });
        if (v.ready && !tracker.reached(v.name, 'joined')) log.add({ at, node: v.name, source: 'api', kind: 'api-ready', detail: `API: ${v.name} Ready (${v.roles.join(',') || 'no roles'})`, phase: 'joined' });
      }
    } catch (err) {
      if (sampling) samples.push({ at: sentAt, ok: false, nodes: [] });
      // Before k3s started on the API node this is expected; the next poll tries again either way.
      const why = oneLine(err);
      const reason = why.replace(/\d+\.\d+\.\d+\.\d+:\d+/g, 'ADDR');
      if (apiUp && apiNode && !noted.has(reason)) {
        noted.add(reason);
        log.add({ at: Date.now(), node: apiNode.name, source: 'api', kind: 'api-poll-failed', detail: `API poll failed: ${why}` });
        note(`${apiNode.name}: k3s started, but the API poll failed: ${why}`);
      }
    } finally {
      busy = false;
    }
  }, tick);
  timer.unref();
  return {
    samples,
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}

