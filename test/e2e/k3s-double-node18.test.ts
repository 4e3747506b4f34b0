/**
 * The lab OS runs the double with Debian bookworm's Node 18; the host has Node 20, which would hide a
 * Node-20-only API. This runs the built double under Debian's own Node 18 binary: a server comes up
 * in a private network namespace and `k3s kubectl` lists it Ready.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { buildK3sDouble } from '../../images/k3s-double/build.ts';
import { guardNamespaces, killNamespace, reapStaleNamespaces, runNamespacePrefix } from './support/k3sNetns.ts';
import { logOf, startDouble, waitFor, type DoubleNode } from './support/k3sDoubleNode.ts';
import { debianNode18 } from './support/k3sNode18.ts';

describe('K3s double on Debian bookworm Node 18', () => {
  let root: string;
  let ns: string;
  let node18: string[];
  let bin: string;
  let unguard: (() => void) | undefined;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'k3s-double-node18-'));
    bin = await buildK3sDouble(join(root, 'k3s'));
    node18 = await debianNode18();
    reapStaleNamespaces();
    ns = `${runNamespacePrefix('n')}-node`;
    unguard = guardNamespaces([ns], () => rmSync(root, { recursive: true, force: true }));
    await execa('ip', ['netns', 'add', ns]);
    await execa('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    await execa('ip', ['-n', ns, 'link', 'add', 'br0', 'type', 'bridge']);
    await execa('ip', ['-n', ns, 'addr', 'add', '10.79.0.2/24', 'dev', 'br0']);
    await execa('ip', ['-n', ns, 'link', 'set', 'br0', 'up']);
    // A router, as a real LAN has: without a default route k3s's server cannot pick its address.
    await execa('ip', ['-n', ns, 'route', 'add', 'default', 'via', '10.79.0.1', 'dev', 'br0', 'onlink']);
  });

  afterAll(async () => {
    unguard?.();
    if (ns) {
      killNamespace(ns);
      await execa('ip', ['netns', 'del', ns], { reject: false });
    }
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('is Node 18 and the double says so', async () => {
    const v = await execa(node18[0]!, [...node18.slice(1), bin, '--version']);
    expect(v.stdout).toMatch(/^node version v18\./m);
    expect(v.stdout).toMatch(/flatcar-k3s-lab double/);
  });

  it('serves a Ready server node', async () => {
    const node: DoubleNode = { name: 'node-18', ns, ip: '10.79.0.2', dataDir: join(root, 'data'), kubeconfig: join(root, 'k3s.yaml'), logFile: join(root, 'node.log') };
    // startDouble runs `ip netns exec <ns> <bin> …`; here <bin> is Node 18 with the double as its script.
    startDouble(node18[0]!, node, [...node18.slice(1), bin, 'server', '--cluster-init', '--token', 'node18-token']);
    await waitFor('the double on Node 18 to be up', 120_000, async () => {
      if (node.child?.exitCode != null) throw new Error(`exited ${node.child.exitCode}: ${logOf(node).trim().split('\n').pop()}`);
      return /k3s is up and running/.test(logOf(node)) ? true : undefined;
    });
    const r = await execa('ip', ['netns', 'exec', ns, ...node18, bin, 'kubectl', '--kubeconfig', node.kubeconfig, 'get', 'nodes'], { reject: false });
    expect(r.stdout, r.stderr).toMatch(/\nnode-18\s+Ready\s+control-plane,etcd,master\s/);
  });
});
