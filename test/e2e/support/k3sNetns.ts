/**
 * A private L2 for tests without VMs: one "lan" namespace holding a bridge (the test's own vantage point,
 * 10.77.0.1) and one namespace per node joined to it by a veth pair. Each node has its own loopback, as a
 * machine would. destroy() kills every process left in the namespaces, then deletes them.
 */
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';

export interface NetnsLab {
  lan: string;
  nodes: { ns: string; ip: string }[];
  destroy(): Promise<void>;
}

const ip = (...args: string[]) => execa('ip', args);

export function namespacePids(ns: string): number[] {
  try {
    return execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function killNamespace(ns: string): void {
  for (const pid of namespacePids(ns)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
}

function deleteNamespacesSync(names: string[]): void {
  for (const ns of names) killNamespace(ns);
  for (const ns of names) {
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {}
  }
}

/**
 * Namespaces are named k3sd-<letter><pid>-…: a run killed before its teardown (Ctrl-C, a crashed
 * worker) is reaped by the next run once its pid is gone; SIGINT/SIGTERM tear down synchronously.
 */
export function guardNamespaces(names: string[], alsoSync: () => void = () => {}): () => void {
  const onSignal = (sig: NodeJS.Signals) => {
    deleteNamespacesSync(names);
    alsoSync();
    process.kill(process.pid, sig);
  };
  const onExit = () => {
    deleteNamespacesSync(names);
    alsoSync();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', onExit);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
  };
}

export function reapStaleNamespaces(): string[] {
  let list = '';
  try {
    list = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const stale = list
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((ns) => {
      const m = /^k3sd-[a-z](\d+)-/.exec(ns);
      if (!m) return false;
      try {
        process.kill(Number(m[1]), 0);
        return false;
      } catch {
        return true;
      }
    });
  deleteNamespacesSync(stale);
  return stale;
}

export function runNamespacePrefix(letter: string): string {
  return `k3sd-${letter}${process.pid}`;
}

export async function createNetnsLab(prefix: string, nodeCount: number, subnet = '10.77.0', alsoSync?: () => void): Promise<NetnsLab> {
  reapStaleNamespaces();
  const lan = `${prefix}-lan`;
  const nodes = Array.from({ length: nodeCount }, (_, i) => ({ ns: `${prefix}-n${i + 1}`, ip: `${subnet}.${11 + i}` }));
  const all = [lan, ...nodes.map((n) => n.ns)];
  const unguard = guardNamespaces(all, alsoSync);
  const destroy = async () => {
    unguard();
    for (const ns of all) killNamespace(ns);
    await new Promise((r) => setTimeout(r, 200));
    for (const ns of all) await execa('ip', ['netns', 'del', ns], { reject: false });
  };
  try {
    await ip('netns', 'add', lan);
    await ip('-n', lan, 'link', 'set', 'lo', 'up');
    await ip('-n', lan, 'link', 'add', 'br0', 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0');
    await ip('-n', lan, 'addr', 'add', `${subnet}.1/24`, 'dev', 'br0');
    await ip('-n', lan, 'link', 'set', 'br0', 'up');
    for (const [i, n] of nodes.entries()) {
      await ip('netns', 'add', n.ns);
      await ip('-n', n.ns, 'link', 'set', 'lo', 'up');
      await ip('-n', lan, 'link', 'add', `v${i + 1}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', n.ns);
      await ip('-n', lan, 'link', 'set', `v${i + 1}`, 'master', 'br0', 'up');
      await ip('-n', n.ns, 'addr', 'add', `${n.ip}/24`, 'dev', 'eth0');
      await ip('-n', n.ns, 'link', 'set', 'eth0', 'up');
      // A LAN with a router, as k3s expects (without a default route its server cannot pick an
      // address); the lan namespace has no uplink, so the route leads nowhere outside.
      await ip('-n', n.ns, 'route', 'add', 'default', 'via', `${subnet}.1`);
    }
  } catch (e) {
    await destroy();
    throw e;
  }
  return { lan, nodes, destroy };
}
