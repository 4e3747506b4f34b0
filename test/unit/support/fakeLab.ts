import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandResult } from '../../../harness/guest/ssh.ts';
import type { ClusterView } from '../../../harness/scenario/evidence.ts';
import type { LabAccess } from '../../../harness/scenario/labAccess.ts';
import type { BootStart, MachineExit, NodeMachine } from '../../../harness/scenario/machine.ts';
import type { NodeSpec } from '../../../harness/scenario/topology.ts';

/** One timed thing a fake boot does: a console line, a service log line, or the guest rebooting. */
export type FakeEvent = { afterMs: number } & ({ console: string } | { journal: Record<string, string> } | { dnsmasq: string } | { http: string } | { reboot: true } | { k3sUp: true });

/**
 * A stand-in for a QEMU machine in runner tests: each boot plays a script, writing to the files
 * a real VM and the real services write (serial log, dnsmasq log, mirror access log).
 */
export class FakeMachine implements NodeMachine {
  boots = 0;
  #running = false;
  #timers: NodeJS.Timeout[] = [];
  #exit: Promise<MachineExit> = Promise.resolve({ boot: 0, at: Date.now() });
  #resolveExit: ((e: MachineExit) => void) | undefined;

  constructor(
    readonly node: string,
    readonly dir: string,
    readonly logs: { dnsmasq: string; mirror: string },
    readonly script: (boot: number) => FakeEvent[],
    readonly world: FakeWorld,
  ) {}

  running(): boolean {
    return this.#running;
  }

  async powerOn(how: string): Promise<BootStart> {
    this.boots += 1;
    const boot = this.boots;
    const serialLog = join(this.dir, `${this.node}.boot${boot}.serial.log`);
    const journalLog = join(this.dir, `${this.node}.boot${boot}.journal.log`);
    writeFileSync(serialLog, '');
    writeFileSync(journalLog, '');
    this.#running = true;
    this.#exit = new Promise((r) => (this.#resolveExit = r));
    // A disk from a cached install boots as the installed disk does on its first disk boot (boot 2).
    for (const ev of this.script(boot - this.diskSince + (this.reusedInstall ? 1 : 0))) {
      this.#timers.push(
        setTimeout(() => {
          if ('console' in ev) appendFileSync(serialLog, ev.console + '\n');
          else if ('journal' in ev) appendFileSync(journalLog, JSON.stringify(ev.journal) + '\r\n');
          else if ('dnsmasq' in ev) appendFileSync(this.logs.dnsmasq, ev.dnsmasq + '\n');
          else if ('http' in ev) appendFileSync(this.logs.mirror, `${new Date().toISOString()} ${ev.http}\n`);
          else if ('k3sUp' in ev) this.world.up.add(this.node);
          else this.#stop(undefined);
        }, ev.afterMs),
      );
    }
    const reused = boot === 1 ? this.reusedInstall : undefined;
    return { boot, serialLog, journalLog, how, at: Date.now(), ...(reused ? { reusedInstall: reused } : {}) };
  }

  /** --reuse-install as the lab machine does it: the first boot starts from a cached install. */
  reusedInstall: string | undefined;
  /** Boots after which the supervisor asked to keep the disk (keepInstall), and whether QEMU was off then. */
  keptAfter: { boots: number; running: boolean }[] = [];

  async keepInstall(): Promise<string | undefined> {
    this.keptAfter.push({ boots: this.boots, running: this.#running });
    return 'kept as install fake';
  }

  #stop(signal: string | undefined): MachineExit {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers = [];
    this.world.up.delete(this.node);
    this.#running = false;
    const exit = { boot: this.boots, at: Date.now(), ...(signal ? { signal } : { exitCode: 0 }) };
    this.#resolveExit?.(exit);
    return exit;
  }

  async powerCut(): Promise<MachineExit> {
    return this.#stop('SIGKILL');
  }

  async reset(): Promise<MachineExit> {
    return this.#stop(undefined);
  }

  /** The fake guest always honours the power button. */
  async shutdown(): Promise<MachineExit> {
    return this.#stop(undefined);
  }

  /** Which boots were played on a replaced disk: the script sees the boot number counted from the new disk. */
  diskSince = 0;

  async replaceDisk(): Promise<void> {
    if (this.#running) throw new Error(`${this.node} is running`);
    this.diskSince = this.boots;
  }

  exited(): Promise<MachineExit> {
    return this.#exit;
  }

  async dispose(): Promise<void> {
    if (this.#running) this.#stop('SIGTERM');
  }
}

/** Which fake nodes run k3s right now, and what SSH answers. */
export class FakeWorld {
  up = new Set<string>();
  deleted: string[] = [];
  sshCalls: string[] = [];
  /** API calls made while no node's k3s was up (each would cost the real first server an SSH handshake). */
  clusterCallsBeforeK3s = 0;
  /** When set, every API call fails with it (a run that cannot read its cluster). */
  clusterFailure: string | undefined;
  constructor(readonly answers: (node: NodeSpec, command: string) => CommandResult) {}

  access(nodes: NodeSpec[]): LabAccess {
    return {
      ssh: async (node, command) => {
        this.sshCalls.push(`${node.name}: ${command}`);
        return this.answers(node, command);
      },
      cluster: async (): Promise<ClusterView> => {
        if (this.up.size === 0) this.clusterCallsBeforeK3s++;
        if (this.clusterFailure) throw new Error(this.clusterFailure);
        if (this.up.size === 0) throw new Error('connect ECONNREFUSED 10.0.0.70:6443');
        return {
          nodes: nodes.filter((n) => this.up.has(n.name)).map((n) => ({ name: n.name, ready: true, roles: ['control-plane', 'etcd', 'master'], lastHeartbeat: new Date().toISOString() })),
          etcdMembers: nodes.filter((n) => this.up.has(n.name)).map((n) => n.name),
        };
      },
      deleteNode: async (name) => {
        this.deleted.push(name);
      },
      close: async () => undefined,
    };
  }
}
