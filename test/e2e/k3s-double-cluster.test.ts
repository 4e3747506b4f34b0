/**
 * Three K3s doubles on three addresses in private network namespaces form an HA cluster with embedded
 * etcd, refuse a wrong token, survive the loss of the first server and take it back without re-init.
 * Observed only through what real k3s also offers: the Kubernetes API (official client), etcdctl, logs.
 */
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { HEARTBEAT_MS, NODE_MONITOR_GRACE_SECONDS } from '../../images/k3s-double/src/server/nodes.ts';
import type { ObservedNode } from '../../harness/cluster/nodes.ts';
import type { EtcdMember } from '../../harness/cluster/etcd.ts';
import { namespacePids, type NetnsLab } from './support/k3sNetns.ts';
import { createDoubleLab, doubleNode, killNode, logOf, probe, startDouble, waitFor, type DoubleLab, type DoubleNode } from './support/k3sDoubleNode.ts';

const TOKEN = 'lab-secret-Zq81xw';

describe('K3s double: three-server cluster in network namespaces', () => {
  let dl: DoubleLab;
  let root: string;
  let bin: string;
  let lab: NetnsLab;
  let nodes: DoubleNode[];
  const api = (n: DoubleNode) => `https://${n.ip}:6443`;
  const nodesVia = (n: DoubleNode) => probe<ObservedNode[]>(lab.lan, 'nodes', n.kubeconfig, api(n));
  const membersVia = (n: DoubleNode) => probe<EtcdMember[]>(lab.lan, 'members', n.dataDir, `https://${n.ip}:2379`);
  const upAndRunning = (n: DoubleNode, what: string) =>
    waitFor(`${n.name} to log "k3s is up and running" (${what})`, 180_000, async () => {
      if (n.child?.exitCode != null) throw new Error(`${n.name} exited with ${n.child.exitCode}: ${logOf(n).trim().split('\n').pop()}`);
      return /k3s (agent )?is up and running/.test(logOf(n)) ? true : undefined;
    });

  beforeAll(async () => {
    dl = await createDoubleLab('e2e', 'c', 4, '10.77.0');
    ({ root, bin, lab, nodes } = dl);
  });

  afterAll(async () => {
    await dl?.destroy();
  });

  it('forms a cluster: init + two joins, 3 Ready nodes with server roles, 3 etcd members', async () => {
    const [n1, n2, n3] = nodes as [DoubleNode, DoubleNode, DoubleNode];
    startDouble(bin, n1, ['server', '--cluster-init', '--disable=traefik', '--write-kubeconfig-mode=644'], { K3S_TOKEN: TOKEN });
    await upAndRunning(n1, 'cluster-init');
    const nodeToken = readFileSync(join(n1.dataDir, 'server', 'node-token'), 'utf8').trim();
    expect(nodeToken).toMatch(/^K10[0-9a-f]{64}::server:/);

    // One join with the full node-token (CA pinned), one with the bare token, as users do both.
    startDouble(bin, n2, ['server', '--server', api(n1)], { K3S_TOKEN: nodeToken });
    await upAndRunning(n2, 'join with node-token');
    startDouble(bin, n3, ['server', `--server=${api(n1)}`, '--token', TOKEN, '--tls-san', 'k3s.lab.example']);
    await upAndRunning(n3, 'join with bare token');

    const seen = await waitFor('3 Ready nodes', 60_000, async () => {
      const list = await nodesVia(n3);
      return list.length === 3 && list.every((n) => n.ready) ? list : undefined;
    });
    expect(seen.map((n) => n.name)).toEqual(['node-1', 'node-2', 'node-3']);
    for (const n of seen) expect(n.roles).toEqual(['control-plane', 'etcd', 'master']);
    expect(seen.map((n) => n.internalIp)).toEqual(['10.77.0.11', '10.77.0.12', '10.77.0.13']);

    const members = await membersVia(n2);
    expect(members).toHaveLength(3);
    expect(members.map((m) => m.peerURLs[0]).sort()).toEqual(['https://10.77.0.11:2380', 'https://10.77.0.12:2380', 'https://10.77.0.13:2380']);
    // Joined as k3s joins: each as a learner, promoted by the etcd leader's k3s, none left a learner.
    expect(members.filter((m) => m.isLearner)).toEqual([]);
    for (const n of [n2, n3]) expect(logOf(n)).toMatch(/Added etcd learner node-\d-[0-9a-f]+ at https:/);
    const leaderLogs = [n1, n2, n3].map(logOf).join('');
    expect(leaderLogs).toMatch(/level=info msg="Promoted learner node-2-[0-9a-f]+"/);
    expect(leaderLogs).toMatch(/level=info msg="Promoted learner node-3-[0-9a-f]+"/);
    expect(existsSync(join(n1.dataDir, 'server', 'db', 'etcd', 'member', 'wal'))).toBe(true);
  });

  it('refuses a wrong token with a clear log line, and that node never appears', async () => {
    const [n1, , , n4] = nodes as [DoubleNode, DoubleNode, DoubleNode, DoubleNode];
    const child = startDouble(bin, n4, ['server', '--server', api(n1)], { K3S_TOKEN: 'not-the-token' });
    const code = await waitFor('the wrong-token server to exit', 60_000, async () => child.exitCode ?? undefined);
    expect(code).toBe(1);
    expect(logOf(n4)).toMatch(/level=fatal .*refused the token \(401 Unauthorized\)/);
    expect(logOf(n1)).toMatch(/Refused server join from 10\.77\.0\.14: the token does not match/);
    expect((await nodesVia(n1)).map((n) => n.name)).not.toContain('node-4');
    expect(await membersVia(n1)).toHaveLength(3);
    expect(namespacePids(n4.ns)).toEqual([]);
  });

  it('takes an agent with the right token: listed Ready, without server roles', async () => {
    const [n1, , , n4] = nodes as [DoubleNode, DoubleNode, DoubleNode, DoubleNode];
    n4.logFile = n4.logFile.replace(/\.log$/, '-agent.log');
    startDouble(bin, n4, ['agent', '--server', api(n1)], { K3S_TOKEN: readFileSync(join(n1.dataDir, 'server', 'node-token'), 'utf8').trim() });
    await upAndRunning(n4, 'agent');
    const agent = await waitFor('node-4 Ready as an agent', 60_000, async () => (await nodesVia(n1)).find((n) => n.name === 'node-4' && n.ready));
    expect(agent.roles).toEqual([]);
    expect(await membersVia(n1)).toHaveLength(3);
    killNode(n4);
  });

  it('refuses a reinstalled agent under its old name (node password) until the node is deleted', async () => {
    const [n1, , , n4] = nodes as [DoubleNode, DoubleNode, DoubleNode, DoubleNode];
    const nodeToken = readFileSync(join(n1.dataDir, 'server', 'node-token'), 'utf8').trim();
    // A new disk: no data dir, no /etc/rancher/node/password, the same name.
    const fresh: DoubleNode = { ...n4, dataDir: join(root, 'node-4-new', 'data'), logFile: n4.logFile.replace(/-agent\.log$/, '-reinstalled.log') };
    startDouble(bin, fresh, ['agent', '--server', api(n1)], { K3S_TOKEN: nodeToken });
    await waitFor('the reinstalled agent to be refused', 60_000, async () => (/Node password rejected/.test(logOf(fresh)) ? true : undefined));
    expect(logOf(fresh)).toContain(
      `level=info msg="Waiting to retrieve agent configuration; server is not ready: Node password rejected, duplicate hostname or contents of '/etc/rancher/node/password' may not match server node-passwd entry, try enabling a unique node name with the --with-node-id flag"`,
    );
    expect(logOf(fresh)).not.toMatch(/k3s agent is up and running/);
    expect(logOf(n1)).toMatch(/level=error msg="Node password validation failed for 'node-4'"/);
    // What k3s documents: delete the node; its node password goes with it, and the agent joins.
    await probe(lab.lan, 'delete-node', n1.kubeconfig, api(n1), 'node-4');
    await upAndRunning(fresh, 'agent after kubectl delete node');
    await waitFor('node-4 Ready again', 60_000, async () => (await nodesVia(n1)).find((n) => n.name === 'node-4' && n.ready));
    killNode(fresh);
  });

  it('loses the first server: API answers on the others, that node turns NotReady after the grace period, not sooner', async () => {
    const [n1, n2, n3] = nodes as [DoubleNode, DoubleNode, DoubleNode];
    const before = await membersVia(n2);
    killNode(n1);
    const killedAt = Date.now();
    // Timed from the start of the probe that saw it: the probe's own start-up is not the node's doing.
    let probeStarted = 0;
    const list = await waitFor('node-1 NotReady seen through node-2', 100_000, async () => {
      probeStarted = Date.now();
      const l = await nodesVia(n2);
      return l.find((n) => n.name === 'node-1')?.ready === false ? l : undefined;
    });
    const notReadyAfterMs = probeStarted - killedAt;
    console.log(`node-1 NotReady ${notReadyAfterMs} ms after it was killed`);
    // The grace period (50 s) from its last renewal, at most one heartbeat (10 s) before the kill; a
    // new etcd leader extends the leases by their TTL, so losing the leader adds its election (~5 s).
    expect(notReadyAfterMs).toBeGreaterThanOrEqual((NODE_MONITOR_GRACE_SECONDS - HEARTBEAT_MS / 1000 - 1) * 1000);
    expect(notReadyAfterMs).toBeLessThan((NODE_MONITOR_GRACE_SECONDS + 30) * 1000);
    const readyOf = (name: string) => list.find((n) => n.name === name)?.ready;
    expect([readyOf('node-1'), readyOf('node-2'), readyOf('node-3')]).toEqual([false, true, true]);
    expect((await nodesVia(n3)).length).toBe(4);
    expect((await membersVia(n3)).map((m) => m.id).sort()).toEqual(before.map((m) => m.id).sort());
  });

  it('restarts the first server with the same flags: back Ready, same etcd members, no re-init', async () => {
    const [n1, n2] = nodes as [DoubleNode, DoubleNode];
    const before = await membersVia(n2);
    n1.logFile = n1.logFile.replace(/\.log$/, '-restart.log');
    startDouble(bin, n1, ['server', '--cluster-init', '--disable=traefik', '--write-kubeconfig-mode=644'], { K3S_TOKEN: TOKEN });
    await upAndRunning(n1, 'restart');
    expect(logOf(n1)).toMatch(/Found existing etcd data .*resuming this member, not initializing a cluster/);
    expect(logOf(n1)).not.toMatch(/Initializing a new etcd cluster/);
    await waitFor('3 Ready nodes after restart', 60_000, async () => {
      const l = (await nodesVia(n1)).filter((n) => n.name !== 'node-4');
      return l.length === 3 && l.every((n) => n.ready) ? l : undefined;
    });
    const after = await membersVia(n1);
    expect(after.map((m) => m.id).sort()).toEqual(before.map((m) => m.id).sort());
  });

  it('never writes the token into any log', () => {
    const logs = [...nodes.map((n) => n.logFile), nodes[0]!.logFile.replace(/-restart\.log$/, '.log'), nodes[3]!.logFile.replace(/-agent\.log$/, '.log')];
    for (const f of logs) {
      const text = existsSync(f) ? readFileSync(f, 'utf8') : '';
      expect(text.length).toBeGreaterThan(0);
      expect(text).not.toContain(TOKEN);
    }
  });
});

describe('K3s double: a server on a segment without a default route', () => {
  let dl: DoubleLab | undefined;
  afterAll(async () => {
    await dl?.destroy();
  });

  it("exits with k3s's own error (k3s #1144), and starts when given --node-ip", async () => {
    dl = await createDoubleLab('noroute', 'r', 1, '10.78.0');
    const { root, bin } = dl;
    const ns = dl.lab.nodes[0]!;
    await execa('ip', ['-n', ns.ns, 'route', 'del', 'default']);
    const node = (name: string) => doubleNode(root, ns, name);
    const bare = node('no-route');
    const child = startDouble(bin, bare, ['server', '--cluster-init'], { K3S_TOKEN: TOKEN });
    expect(await waitFor('the server without a default route to exit', 60_000, async () => child.exitCode ?? undefined)).toBe(1);
    expect(logOf(bare)).toContain(
      `level=fatal msg="apiserver exited: unable to find suitable network address.error='no default routes found in \\"/proc/net/route\\" or \\"/proc/net/ipv6_route\\"'. Try to set the AdvertiseAddress directly or provide a valid BindAddress to fix this"`,
    );
    const given = node('node-ip');
    const started = startDouble(bin, given, ['server', '--cluster-init', `--node-ip=${ns.ip}`], { K3S_TOKEN: TOKEN });
    await waitFor('the server given --node-ip to start on that address', 60_000, async () => (/Starting k3s .* on 10\.78\.0\.11/.test(logOf(given)) ? true : undefined));
    expect(started.exitCode).toBeNull();
    started.kill('SIGKILL');
  });
});
