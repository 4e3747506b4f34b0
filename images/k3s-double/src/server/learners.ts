/**
 * Servers join etcd as k3s joins them (k3s pkg/etcd/etcd.go, the same in every version read):
 * - the joiner adds itself as a learner (MemberAddAsLearner) and retries each second while etcd
 *   says another member is still joining: "too many learner members" (etcd allows one learner) or
 *   "unhealthy cluster" (the leader has not been connected to every voter for 5 s);
 * - on the etcd leader, k3s's manageLearners looks every 15 s (manageTickerTime) for a learner,
 *   promotes the first it finds once etcd allows it (the learner has caught up), and removes one
 *   whose applied index has not moved for 5 minutes (learnerMaxStallTime).
 * A learner does not count for quorum: a joiner that dies mid-join leaves the cluster serving.
 * k3s keeps the stall record in etcd (so a new leader carries it on); here it lives in the
 * leader's memory, so a change of leader restarts the 5 minutes.
 */
import { type EtcdClient } from '../etcd/client.ts';
import { fatal, log } from '../log.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The two refusals k3s waits out, as etcd words them (rpctypes.ErrTooManyLearners, ErrUnhealthy). */
const stillJoining = /too many learner members in cluster|unhealthy cluster/;

/** Adds this node as a learner through a running member; returns the initial-cluster list for its etcd. */
export async function addAsLearner(etcd: EtcdClient, name: string, myPeer: string, retryMs = 1_000): Promise<string> {
  const deadline = Date.now() + 10 * 60_000;
  for (let attempt = 1; ; attempt++) {
    try {
      const listed = await etcd.memberList();
      const existing = listed.find((m) => m.peerURLs.includes(myPeer));
      const members = existing ? listed : (await etcd.memberAdd(myPeer, { learner: true, timeoutMs: 2_500 })).members;
      if (existing) log('info', `etcd member for ${myPeer} was already added; reusing it`);
      else log('info', `Added etcd learner ${name} at ${myPeer}`);
      log('debug', `initial cluster: ${members.map((m) => m.name + '=' + m.peerURLs.join('+')).join(',')}`);
      return members.map((m) => `${m.peerURLs.includes(myPeer) ? name : m.name}=${m.peerURLs[0]}`).join(',');
    } catch (e) {
      const msg = (e as Error).message;
      if (Date.now() > deadline) fatal(`etcd cluster join failed: ${msg}`);
      const waiting = stillJoining.test(msg) ? 'Waiting for other members to finish joining etcd cluster' : 'Waiting to add etcd member';
      if (attempt === 1 || (attempt * retryMs) % 30_000 < retryMs) log('info', `${waiting}: ${msg}`);
      await sleep(retryMs);
    }
  }
}

/**
 * Until this node's own etcd says it is a voting member: a learner serves no client reads or
 * writes. (An etcd that exits meanwhile ends the double: runServer's exit handler.)
 */
export async function waitUntilPromoted(local: EtcdClient, pollMs = 1_000, answerWithinMs = 10 * 60_000): Promise<void> {
  let said = false;
  const deadline = Date.now() + answerWithinMs;
  for (;;) {
    const status = await local.status().catch(() => undefined);
    if (status && !status.isLearner) return;
    // As waitEtcdHealthy: an etcd that never answers ends the double. How long k3s leaves a
    // learner unpromoted is not known here, so a learner that answers is waited for.
    if (!status && !said && Date.now() > deadline) fatal(`etcd at ${local.endpoint} did not answer within ${Math.round(answerWithinMs / 1000)} s`);
    if (status && !said) {
      log('info', 'This etcd member is a learner: waiting for the leader to promote it');
      said = true;
    }
    await sleep(pollMs);
  }
}

export interface LearnerManagerOptions {
  /** A client for another member's endpoint, with this server's etcd client certificate. */
  clientFor: (endpoint: string) => EtcdClient;
  everyMs?: number;
  maxStallMs?: number;
  now?: () => number;
}

/** k3s's manageLearners on every server; only the etcd leader acts. Returns the stop function. */
export function manageLearners(local: EtcdClient, opts: LearnerManagerOptions): () => void {
  const everyMs = opts.everyMs ?? 15_000;
  const maxStallMs = opts.maxStallMs ?? 5 * 60_000;
  const now = opts.now ?? Date.now;
  let progress: { id: string; applied: number; since: number } | undefined;
  // One client per learner endpoint: each keeps its connection open between looks.
  const clients = new Map<string, EtcdClient>();
  const clientFor = (endpoint: string) => clients.get(endpoint) ?? clients.set(endpoint, opts.clientFor(endpoint)).get(endpoint)!;
  let busy = false;
  const tick = async () => {
    // k3s's own words when a look fails (Errorf in manageLearners); the next look tries again.
    const me = await local.status().catch((e: Error) => void log('error', `Failed to check local etcd status for learner management: ${e.message}`));
    if (!me || me.memberId !== me.leader) return;
    const members = await local.memberList().catch((e: Error) => void log('error', `Failed to get etcd members for learner management: ${e.message}`));
    const learner = members?.find((m) => m.isLearner);
    if (!learner) return;
    try {
      await local.memberPromote(learner.id);
      log('info', `Promoted learner ${learner.name}`);
      progress = undefined;
      return;
    } catch (e) {
      log('debug', `Unable to promote learner ${learner.name}: ${(e as Error).message}`);
    }
    const t = now();
    if (progress?.id !== learner.id) progress = { id: learner.id, applied: 0, since: t };
    const endpoint = learner.clientURLs[0];
    const applied = endpoint ? await clientFor(endpoint).status().then((s) => s.raftAppliedIndex, () => undefined) : undefined;
    if (applied !== undefined && applied > progress.applied) progress = { ...progress, applied, since: t };
    // As k3s: no warning at the first look, nor at a look that saw progress.
    if (progress.since !== t) log('warning', `Learner ${learner.name || learner.peerURLs[0]} stalled at RaftAppliedIndex=${progress.applied} for ${Math.round((t - progress.since) / 1000)}s`);
    if (t - progress.since > maxStallMs) {
      await local.memberRemove(learner.id);
      log('warning', `Removed learner ${learner.name || learner.peerURLs[0]} from etcd cluster`);
      progress = undefined;
    }
  };
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    tick()
      .catch((e: Error) => log('error', `Failed to manage etcd learners: ${e.message}`))
      .finally(() => (busy = false));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
