/**
 * A server that dies while it joins, as k3s joins (learners.ts): it was added to etcd as a learner,
 * which does not count for quorum, so the one server before it keeps serving; the leader's k3s
 * says each 15 s that the learner is stalled. Had the joiner been added as a voting member, the
 * cluster would have needed two started members of two, and the first server's API would stop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EtcdMember } from '../../harness/cluster/etcd.ts';
import type { ObservedNode } from '../../harness/cluster/nodes.ts';
import { createDoubleLab, killNode, logOf, probe, startDouble, waitFor, type DoubleLab, type DoubleNode } from './support/k3sDoubleNode.ts';

const TOKEN = 'lab-learner-Wq72kd';

describe('K3s double: a server that dies while joining etcd', () => {
  let dl: DoubleLab;
  beforeAll(async () => {
    dl = await createDoubleLab('learner', 'l', 2, '10.79.0');
  });
  afterAll(async () => {
    await dl?.destroy();
  });

  it('leaves the first server serving, and the leader reports the learner stalled', async () => {
    const [n1, n2] = dl.nodes as [DoubleNode, DoubleNode];
    const { bin, lab } = dl;
    startDouble(bin, n1, ['server', '--cluster-init'], { K3S_TOKEN: TOKEN });
    await waitFor('node-1 to log "k3s is up and running"', 180_000, async () => (/k3s is up and running/.test(logOf(n1)) ? true : undefined));

    startDouble(bin, n2, ['server', '--server', `https://${n1.ip}:6443`], { K3S_TOKEN: TOKEN });
    // Dies the moment it is in etcd's member list, before its own etcd could catch up.
    await waitFor('node-2 to be added to etcd', 120_000, async () => (/Added etcd learner node-2-/.test(logOf(n2)) ? true : undefined), 50);
    killNode(n2);

    const members = await probe<EtcdMember[]>(lab.lan, 'members', n1.dataDir, `https://${n1.ip}:2379`);
    // etcd lists members by ID, which is random: compare them by address.
    expect(members.map((m) => [m.peerURLs[0], m.isLearner]).sort()).toEqual([
      [`https://${n1.ip}:2380`, false],
      [`https://${n2.ip}:2380`, true],
    ]);
    // Reads through etcd need a quorum of voters: one of one.
    const listed = await probe<ObservedNode[]>(lab.lan, 'nodes', n1.kubeconfig, `https://${n1.ip}:6443`);
    expect(listed.map((n) => [n.name, n.ready])).toEqual([['node-1', true]]);
    const stalled = await waitFor('node-1 to report the learner stalled', 60_000, async () => /level=warning msg="Learner \S+ stalled at RaftAppliedIndex=\d+ for \d+s"/.exec(logOf(n1))?.[0]);
    console.log(`[k3s-double learner] ${stalled}`);
    expect(logOf(n1)).not.toMatch(/Promoted learner/);
  });
});
