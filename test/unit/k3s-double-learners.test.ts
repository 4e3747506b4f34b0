import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EtcdClient, Member, MemberStatus } from '../../images/k3s-double/src/etcd/client.ts';
import { addAsLearner, manageLearners, waitUntilPromoted } from '../../images/k3s-double/src/server/learners.ts';

/**
 * The K3s double's etcd joins, k3s's way (learners.ts), against a stand-in for etcd's answers:
 * one learner at a time, a promotion refused until the learner caught up. Real etcd plays this
 * part in test/e2e/k3s-double-cluster.test.ts.
 */
class EtcdAnswers {
  members: Member[] = [{ id: '1', name: 'node-1-aa', peerURLs: ['https://10.0.0.70:2380'], clientURLs: ['https://10.0.0.70:2379'], isLearner: false }];
  leader = '1';
  caughtUp = new Set<string>();
  applied = new Map<string, number>();
  calls: string[] = [];
  client(endpoint: string, self = '1'): EtcdClient {
    const etcd = this;
    return {
      endpoint,
      async memberList() {
        return etcd.members.map((m) => ({ ...m }));
      },
      async memberAdd(peerURL: string, opts: { learner?: boolean } = {}) {
        etcd.calls.push(`add ${peerURL} learner=${opts.learner === true}`);
        if (etcd.members.some((m) => m.isLearner)) throw new Error('etcd https://10.0.0.70:2379/v3/cluster/member/add: etcdserver: too many learner members in cluster');
        const added = { id: String(etcd.members.length + 1), name: '', peerURLs: [peerURL], clientURLs: [], isLearner: opts.learner === true };
        etcd.members.push(added);
        return { added, members: etcd.members.map((m) => ({ ...m })) };
      },
      async memberPromote(id: string) {
        etcd.calls.push(`promote ${id}`);
        if (!etcd.caughtUp.has(id)) throw new Error('etcdserver: can only promote a learner member which is in sync with leader');
        etcd.members.find((m) => m.id === id)!.isLearner = false;
      },
      async memberRemove(id: string) {
        etcd.calls.push(`remove ${id}`);
        etcd.members = etcd.members.filter((m) => m.id !== id);
      },
      async status(): Promise<MemberStatus> {
        const me = etcd.members.find((m) => m.id === self);
        return { memberId: self, leader: etcd.leader, isLearner: me?.isLearner ?? false, raftAppliedIndex: etcd.applied.get(self) ?? 0 };
      },
    } as unknown as EtcdClient;
  }
}

const logged = () => stderr.mock.calls.map((c) => String(c[0])).join('');
let stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
afterEach(() => {
  stderr.mockRestore();
  stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  vi.useRealTimers();
});

describe('K3s double: joining etcd as a learner, as k3s does', () => {
  it('adds itself as a learner, waiting out another learner with k3s\'s words, and names every member for its etcd', async () => {
    const etcd = new EtcdAnswers();
    etcd.members.push({ id: '2', name: '', peerURLs: ['https://10.0.0.71:2380'], clientURLs: [], isLearner: true });
    const joining = addAsLearner(etcd.client('https://10.0.0.70:2379'), 'node-3-cc', 'https://10.0.0.72:2380', 5);
    await new Promise((r) => setTimeout(r, 30));
    etcd.members[1] = { ...etcd.members[1]!, name: 'node-2-bb', isLearner: false }; // the leader promoted node-2
    const cluster = await joining;
    expect(cluster).toBe('node-1-aa=https://10.0.0.70:2380,node-2-bb=https://10.0.0.71:2380,node-3-cc=https://10.0.0.72:2380');
    expect(etcd.calls.every((c) => c === 'add https://10.0.0.72:2380 learner=true')).toBe(true);
    expect(etcd.members.at(-1)).toMatchObject({ peerURLs: ['https://10.0.0.72:2380'], isLearner: true });
    expect(logged()).toContain('level=info msg="Waiting for other members to finish joining etcd cluster: etcd https://10.0.0.70:2379/v3/cluster/member/add: etcdserver: too many learner members in cluster"');
    expect(logged()).toContain('Added etcd learner node-3-cc at https://10.0.0.72:2380');
  });

  it('reuses a member already added for its address (a joiner restarted mid-join) instead of adding another', async () => {
    const etcd = new EtcdAnswers();
    etcd.members.push({ id: '2', name: '', peerURLs: ['https://10.0.0.71:2380'], clientURLs: [], isLearner: true });
    const cluster = await addAsLearner(etcd.client('https://10.0.0.70:2379'), 'node-2-bb', 'https://10.0.0.71:2380', 5);
    expect(cluster).toBe('node-1-aa=https://10.0.0.70:2380,node-2-bb=https://10.0.0.71:2380');
    expect(etcd.calls).toEqual([]);
  });

  it('serves only once its own etcd says it is no longer a learner', async () => {
    const etcd = new EtcdAnswers();
    etcd.members.push({ id: '2', name: 'node-2-bb', peerURLs: ['https://10.0.0.71:2380'], clientURLs: ['https://10.0.0.71:2379'], isLearner: true });
    let done = false;
    const waiting = waitUntilPromoted(etcd.client('https://10.0.0.71:2379', '2'), 5).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(done).toBe(false);
    etcd.members[1]!.isLearner = false;
    await waiting;
    expect(logged()).toContain('This etcd member is a learner: waiting for the leader to promote it');
  });

  it('ends the double, saying so, when its own etcd never answers', async () => {
    const silent = { endpoint: 'https://10.0.0.71:2379', status: () => Promise.reject(new Error('connect ECONNREFUSED')) } as unknown as EtcdClient;
    await expect(waitUntilPromoted(silent, 5, 20)).rejects.toThrow('etcd at https://10.0.0.71:2379 did not answer within 0 s');
  });
});

describe("K3s double: k3s's manageLearners on the etcd leader", () => {
  const tick = () => vi.advanceTimersByTimeAsync(15_000);

  it('promotes the learner at its next look, every 15 s, and only on the leader', async () => {
    vi.useFakeTimers();
    const etcd = new EtcdAnswers();
    etcd.members.push({ id: '2', name: 'node-2-bb', peerURLs: ['https://10.0.0.71:2380'], clientURLs: ['https://10.0.0.71:2379'], isLearner: true });
    etcd.caughtUp.add('2');
    const onFollower = manageLearners(etcd.client('https://10.0.0.71:2379', '2'), { clientFor: (e) => etcd.client(e, '2') });
    await tick(); // the follower looked once, and left the learner to the leader
    expect(etcd.calls).toEqual([]);
    const stop = manageLearners(etcd.client('https://10.0.0.70:2379'), { clientFor: (e) => etcd.client(e, '2') });
    await tick();
    expect(etcd.calls).toEqual(['promote 2']);
    expect(etcd.members[1]!.isLearner).toBe(false);
    expect(logged()).toContain('level=info msg="Promoted learner node-2-bb"');
    await tick();
    expect(etcd.calls).toEqual(['promote 2']);
    stop();
    onFollower();
  });

  it('keeps a learner that makes progress, and removes one stalled for 5 minutes', async () => {
    vi.useFakeTimers();
    const etcd = new EtcdAnswers();
    etcd.members.push({ id: '2', name: 'node-2-bb', peerURLs: ['https://10.0.0.71:2380'], clientURLs: ['https://10.0.0.71:2379'], isLearner: true });
    const stop = manageLearners(etcd.client('https://10.0.0.70:2379'), { clientFor: (e) => etcd.client(e, '2') });
    // It catches up slowly for a minute: never stalled, never removed.
    for (let i = 1; i <= 4; i++) {
      etcd.applied.set('2', i * 100);
      await tick();
    }
    expect(logged()).not.toContain('stalled');
    // Then it stops (its node died): a warning each look, removal after 5 minutes without progress.
    for (let i = 0; i < 20; i++) await tick();
    expect(etcd.members.map((m) => m.id)).toEqual(['1', '2']);
    expect(logged()).toMatch(/level=warning msg="Learner node-2-bb stalled at RaftAppliedIndex=400 for 300s"/);
    await tick();
    expect(etcd.calls.at(-1)).toBe('remove 2');
    expect(etcd.members.map((m) => m.id)).toEqual(['1']);
    expect(logged()).toContain('level=warning msg="Removed learner node-2-bb from etcd cluster"');
    stop();
  });

  it('says nothing at its first look at a learner that never started; stalled from the second look on', async () => {
    vi.useFakeTimers();
    const etcd = new EtcdAnswers();
    etcd.members.push({ id: '2', name: '', peerURLs: ['https://10.0.0.71:2380'], clientURLs: [], isLearner: true });
    const stop = manageLearners(etcd.client('https://10.0.0.70:2379'), { clientFor: (e) => etcd.client(e, '2') });
    await tick();
    expect(etcd.calls).toEqual(['promote 2']);
    expect(logged()).not.toContain('stalled');
    await tick();
    expect(logged()).toContain('level=warning msg="Learner https://10.0.0.71:2380 stalled at RaftAppliedIndex=0 for 15s"');
    stop();
  });
});
