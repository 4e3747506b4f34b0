import { describe, expect, it } from 'vitest';
import { clusterRecovers } from '../../harness/scenario/assertions/clusterRecovers.ts';
import { allNodesJoined } from '../../harness/scenario/assertions/allNodesJoined.ts';
import { assertions } from '../../harness/scenario/assertions/index.ts';
import { k3sInOptBin } from '../../harness/scenario/assertions/k3sInOptBin.ts';
import { k3sInstallRanOnce } from '../../harness/scenario/assertions/k3sInstallRanOnce.ts';
import { noReinstall } from '../../harness/scenario/assertions/noReinstall.ts';
import { usrLocalBinReadOnly } from '../../harness/scenario/assertions/usrLocalBinReadOnly.ts';
import type { NodeEvidence, RunEvidence } from '../../harness/scenario/evidence.ts';

const sha = 'a'.repeat(64);
const boots = ['1f'.repeat(16), '2e'.repeat(16), '3d'.repeat(16)];
const listBoots = (n: number) =>
  ['IDX BOOT ID                          FIRST ENTRY                 LAST ENTRY', ...boots.slice(0, n).map((id, i) => `${i - n + 1} ${id} Wed 2026-11-25 18:0${i}:00 UTC Wed 2026-11-25 18:0${i}:30 UTC`)].join('\n');
const j = (boot: string, message: string, extra: Record<string, string> = {}) => JSON.stringify({ _BOOT_ID: boot, __REALTIME_TIMESTAMP: '1', MESSAGE: message, ...extra });
const firstBootJournal = [
  j(boots[0]!, 'Starting k3s-install.service - Install k3s...', { UNIT: 'k3s-install.service', _SYSTEMD_UNIT: 'init.scope' }),
  j(boots[0]!, "touch: cannot touch '/usr/local/bin/k3s-ro-test': Read-only file system", { _SYSTEMD_UNIT: 'k3s-install.service' }),
  j(boots[0]!, '[INFO]  Installing k3s to /opt/bin/k3s', { _SYSTEMD_UNIT: 'k3s-install.service' }),
  j(boots[0]!, 'Finished k3s-install.service - Install k3s.', { UNIT: 'k3s-install.service', _SYSTEMD_UNIT: 'init.scope' }),
];
const skipped = (b: string) => j(b, 'k3s-install.service - Install k3s was skipped because of an unmet condition check (ConditionPathExists=!/opt/bin/k3s).', { UNIT: 'k3s-install.service', _SYSTEMD_UNIT: 'init.scope' });

function goodNode(name: string, ip: string, role: NodeEvidence['role'], journal: string[] = firstBootJournal, bootCount = 1): NodeEvidence {
  return {
    name,
    ip,
    role,
    vmStarts: 2,
    probes: {
      'touch-usr-local-bin': { stdout: '', stderr: "touch: cannot touch '/usr/local/bin/k3s-ro-test': Read-only file system\n", code: 1 },
      'opt-bin-k3s': { stdout: `${sha}  /opt/bin/k3s\n`, stderr: '', code: 0 },
      'usr-local-bin-k3s': { stdout: '', stderr: "ls: cannot access '/usr/local/bin/k3s': No such file or directory\n", code: 2 },
      'list-boots': { stdout: listBoots(bootCount), stderr: '', code: 0 },
      'k3s-install-journal': { stdout: journal.join('\n') + '\n', stderr: '', code: 0 },
    },
  };
}

function evidence(nodes: NodeEvidence[], over: Partial<RunEvidence> = {}): RunEvidence {
  return {
    nodes,
    http: [],
    dnsmasq: nodes.map((n) => `dnsmasq-tftp[9]: sent /x/tftp/pxelinux.cfg/${n.ip.split('.').map((p) => Number(p).toString(16).toUpperCase().padStart(2, '0')).join('')} to ${n.ip}`),
    servedK3sSha256: sha,
    cluster: {
      nodes: nodes.map((n) => ({ name: n.name, ready: true, roles: n.role === 'agent' ? [] : ['control-plane', 'etcd', 'master'] })),
      etcdMembers: nodes.filter((n) => n.role !== 'agent').map((n) => n.name),
    },
    observations: [],
    ...over,
  };
}

const three = () => [goodNode('node-1', '10.0.0.70', 'init'), goodNode('node-2', '10.0.0.71', 'server'), goodNode('node-3', '10.0.0.72', 'server')];

describe('assertions', () => {
  it('are registered by their names', () => {
    expect(assertions.map((a) => a.name)).toEqual(['usr-local-bin-read-only', 'k3s-in-opt-bin', 'k3s-install-ran-once', 'all-nodes-joined', 'no-reinstall', 'cluster-recovers', 'api-kept-answering', 'mirror-fault-met']);
  });

  it('usr-local-bin-read-only needs both the SSH touch and install.sh output', () => {
    const ok = usrLocalBinReadOnly.check(evidence(three()));
    expect(ok).toMatchObject({ name: 'usr-local-bin-read-only', ok: true });
    expect(ok.detail).toContain('node-2: ok');
    const nodes = three();
    nodes[1]!.probes['touch-usr-local-bin'] = { stdout: '', stderr: '', code: 0 };
    nodes[2]!.probes['k3s-install-journal'] = { stdout: firstBootJournal.filter((l) => !l.includes('ro-test')).join('\n'), stderr: '', code: 0 };
    const bad = usrLocalBinReadOnly.check(evidence(nodes));
    expect(bad.ok).toBe(false);
    expect(bad.detail).toMatch(/node-2: FAIL — touch over SSH: exit 0/);
    expect(bad.detail).toMatch(/node-3: FAIL .*no failed k3s-ro-test touch/);
  });

  it('k3s-in-opt-bin compares the sha256 with what the mirror served and wants /usr/local/bin/k3s absent', () => {
    expect(k3sInOptBin.check(evidence(three())).ok).toBe(true);
    const nodes = three();
    nodes[0]!.probes['opt-bin-k3s'] = { stdout: `${'b'.repeat(64)}  /opt/bin/k3s\n`, stderr: '', code: 0 };
    nodes[1]!.probes['usr-local-bin-k3s'] = { stdout: '-rwxr-xr-x 1 root root 1 /usr/local/bin/k3s\n', stderr: '', code: 0 };
    nodes[2]!.probes['opt-bin-k3s'] = { stdout: '', stderr: 'sha256sum: /opt/bin/k3s: No such file or directory', code: 1 };
    const r = k3sInOptBin.check(evidence(nodes));
    expect(r.ok).toBe(false);
    expect(r.detail).toContain('node-1: FAIL — /opt/bin/k3s sha256 bbbbbbbbbbbb… differs');
    expect(r.detail).toContain('node-2: FAIL — /usr/local/bin/k3s exists');
    expect(r.detail).toContain('node-3: FAIL — /opt/bin/k3s missing');
  });

  it('k3s-install-ran-once wants ≥ 2 boots: ran in the first, skipped by condition after', () => {
    const journal = [...firstBootJournal, skipped(boots[1]!), skipped(boots[2]!)];
    expect(k3sInstallRanOnce.check(evidence([goodNode('node-1', '10.0.0.70', 'init', journal, 3)]))).toMatchObject({ ok: true, detail: 'node-1: ok — boot 1: ran, boot 2: skipped, boot 3: skipped' });
    const tooFew = k3sInstallRanOnce.check(evidence([goodNode('node-1', '10.0.0.70', 'init', firstBootJournal, 1)]));
    expect(tooFew.ok).toBe(false);
    expect(tooFew.detail).toContain('only 1 boot(s) in the journal, need ≥ 2');
    expect(k3sInstallRanOnce.check(evidence([goodNode('node-1', '10.0.0.70', 'init', [...firstBootJournal, skipped(boots[1]!)], 2)])).ok).toBe(true);
    const again = [...firstBootJournal, skipped(boots[1]!), j(boots[2]!, 'Starting k3s-install.service - Install k3s...', { UNIT: 'k3s-install.service' })];
    expect(k3sInstallRanOnce.check(evidence([goodNode('node-1', '10.0.0.70', 'init', again, 3)])).detail).toContain('boot 3: ran');
    expect(k3sInstallRanOnce.check(evidence([goodNode('node-1', '10.0.0.70', 'init', again, 3)])).ok).toBe(false);
  });

  it('cluster-recovers: every node Ready again within the budget after the last fault, etcd whole at the end', () => {
    const t0 = 1_000_000;
    const all = ['node-1', 'node-2', 'node-3'];
    const faults = [{ name: 'power outage: node-1, node-2, node-3 off for 10 s', at: t0, endAt: t0 + 10_000 }];
    const hb = (dt: number) => new Date(t0 + dt).toISOString();
    const sample = (dt: number, ok: boolean, ready = all, heartbeat = dt) => ({ at: t0 + dt, ok, nodes: ok ? all.map((name) => ({ name, ready: ready.includes(name), heartbeat: hb(heartbeat) })) : [] });
    // Before the outage every node had beaten; right after it, the API lists them Ready from those old beats.
    const before = sample(-2_000, true);
    const stale = { ...sample(60_000, true), nodes: all.map((name) => ({ name, ready: true, heartbeat: hb(-2_000) })) };
    const good = evidence(three(), { faults, recoveryBudgetMs: 300_000, apiSamples: [before, sample(5_000, false), sample(20_000, false), stale, sample(95_000, true, ['node-1']), sample(120_000, true)] });
    expect(clusterRecovers.check(good)).toMatchObject({ ok: true });
    expect(clusterRecovers.check(good).detail).toContain('ok — every node Ready 110 s after "power outage: node-1, node-2, node-3 off for 10 s" ended (budget 300 s)');
    const slow = evidence(three(), { faults, recoveryBudgetMs: 60_000, apiSamples: good.apiSamples });
    expect(clusterRecovers.check(slow).detail).toContain('FAIL — every node Ready 110 s after');
    const never = evidence(three(), { faults, recoveryBudgetMs: 300_000, apiSamples: [before, stale, sample(95_000, true, ['node-1', 'node-2'])] });
    expect(clusterRecovers.check(never).detail).toContain('FAIL — never all Ready after "power outage');
    expect(clusterRecovers.check(never).detail).toContain('last answer listed Ready: node-1, node-2');
    expect(clusterRecovers.check(evidence(three())).detail).toContain('the run put no fault into the lab');
    const split = evidence(three(), { faults, recoveryBudgetMs: 300_000, apiSamples: good.apiSamples });
    split.cluster!.etcdMembers = ['node-1', 'node-2'];
    expect(clusterRecovers.check(split).ok).toBe(false);
    // A renewal after the last sample and before the cut (at -1 s) is newer than any sample, but not
    // from after the power came back: it is not recovery.
    const gap = { ...sample(60_000, true), nodes: all.map((name) => ({ name, ready: true, heartbeat: hb(-1_000) })) };
    const fooled = evidence(three(), { faults, recoveryBudgetMs: 300_000, apiSamples: [before, sample(5_000, false), gap] });
    expect(clusterRecovers.check(fooled).detail).toContain('FAIL — never all Ready after "power outage');
  });

  it('all-nodes-joined wants every node Ready with roles and etcd members = servers', () => {
    expect(allNodesJoined.check(evidence(three())).ok).toBe(true);
    const lonely = evidence(three(), { cluster: { nodes: [{ name: 'node-1', ready: true, roles: ['control-plane', 'etcd', 'master'] }], etcdMembers: ['node-1'] } });
    const r = allNodesJoined.check(lonely);
    expect(r.ok).toBe(false);
    expect(r.detail).toContain('node-2: FAIL — not listed by the API');
    expect(r.detail).toContain('etcd: FAIL — members node-1; servers node-1, node-2, node-3');
    const notReady = evidence(three());
    notReady.cluster!.nodes[2]!.ready = false;
    expect(allNodesJoined.check(notReady).detail).toContain('node-3: FAIL — NotReady');
    expect(allNodesJoined.check(evidence(three(), { cluster: { nodes: [], error: 'connect ECONNREFUSED 10.0.0.70:6443' } })).detail).toContain('ECONNREFUSED');
  });

  it('no-reinstall: a PXE config fetch after the install fails, a retried PXE boot before it does not', () => {
    const entry = (ip: string, t: number) => ({ time: new Date(t), clientIp: ip, method: 'GET', path: '/flatcar/amd64-usr/1.0.0/flatcar_production_image.bin.bz2', status: 200, bytes: 1, durationMs: 1 });
    const cfg = (node: string, at: number) => ({ at, node, source: 'tftp' as const, kind: 'tftp-pxe-config', detail: 'cfg', phase: 'pxe-config' as const });
    const ev = evidence(three(), { http: [entry('10.0.0.70', 100), entry('10.0.0.71', 100), entry('10.0.0.72', 100)] });
    ev.observations.push(cfg('node-1', 10), cfg('node-2', 10), cfg('node-3', 10));
    expect(noReinstall.check(ev).ok).toBe(true);
    ev.observations.push(cfg('node-2', 60_000), cfg('node-3', 50));
    ev.dnsmasq.push('dnsmasq-tftp[9]: sent /x/tftp/pxelinux.cfg/0A000047 to 10.0.0.71', 'dnsmasq-tftp[9]: sent /x/tftp/pxelinux.cfg/0A000048 to 10.0.0.72');
    const r = noReinstall.check(ev);
    expect(r.ok).toBe(false);
    expect(r.detail).toContain('node-2: FAIL — pxelinux.cfg/0A000047 fetched 2×, 1× after installing');
    expect(r.detail).toContain('node-3: ok — pxelinux.cfg/0A000048 fetched 2× (a failed PXE boot was retried before the install)');
    ev.http.push(entry('10.0.0.70', 900));
    expect(noReinstall.check(ev).detail).toContain('node-1: FAIL — pxelinux.cfg/0A000046 fetched 1×, disk image fetched 2×');
  });

  it('no-reinstall: a replaced disk installs again and is judged on its own', () => {
    const entry = (ip: string, t: number) => ({ time: new Date(t), clientIp: ip, method: 'GET', path: '/flatcar/amd64-usr/1.0.0/flatcar_production_image.bin.bz2', status: 200, bytes: 1, durationMs: 1 });
    const cfg = (node: string, at: number) => ({ at, node, source: 'tftp' as const, kind: 'tftp-pxe-config', detail: 'cfg', phase: 'pxe-config' as const });
    const ev = evidence([goodNode('node-1', '10.0.0.70', 'init'), goodNode('node-2', '10.0.0.71', 'agent')], { http: [entry('10.0.0.70', 100), entry('10.0.0.71', 100), entry('10.0.0.71', 200_000)] });
    ev.observations.push(cfg('node-1', 10), cfg('node-2', 10), cfg('node-2', 190_000));
    // Without the replacement, node-2's second install is a reinstall.
    expect(noReinstall.check(ev).detail).toContain('node-2: FAIL');
    ev.observations.push({ at: 150_000, node: 'node-2', source: 'step', kind: 'disk-replaced', detail: "node-2's disk replaced" });
    const r = noReinstall.check(ev);
    expect(r.ok, r.detail).toBe(true);
    expect(r.detail).toContain('node-2: ok — disk 1: pxelinux.cfg/0A000047 fetched 1×, disk image fetched 1×; disk 2: pxelinux.cfg/0A000047 fetched 1×, disk image fetched 1× (the disk was replaced 1×)');
    // The new disk falling back to PXE after its install is still a reinstall.
    ev.observations.push(cfg('node-2', 260_000));
    expect(noReinstall.check(ev).detail).toContain('disk 2: pxelinux.cfg/0A000047 fetched 2×, 1× after installing');
  });

  it('a node whose probes could not run fails with the reason', () => {
    const n = goodNode('node-1', '10.0.0.70', 'init');
    n.probes = {};
    n.probeError = 'ssh 10.0.0.70: connect ECONNREFUSED';
    expect(usrLocalBinReadOnly.check(evidence([n])).detail).toContain('ECONNREFUSED');
  });
});

describe('assertions after reboots with a volatile journal', () => {
  it('say the journal lost the earlier boots', () => {
    const n = goodNode('node-1', '10.0.0.70', 'init', [skipped(boots[0]!)], 1);
    n.vmStarts = 4;
    const ran = k3sInstallRanOnce.check(evidence([n]));
    expect(ran.ok).toBe(false);
    expect(ran.detail).toContain('the node booted from disk 3× — is the journal persistent (/var/log/journal)?');
    expect(usrLocalBinReadOnly.check(evidence([n])).detail).toContain('is the journal persistent?');
  });
});
