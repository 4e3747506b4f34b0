import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LabError } from '../errors.ts';
import { stateRoot } from '../paths.ts';
import type { NodeSpec, Topology } from '../scenario/topology.ts';
import { startDnsmasq, type DnsmasqRun } from '../services/dnsmasq.ts';
import { networkOf } from '../services/dnsmasqConfig.ts';
import { dropEgress } from './egress.ts';
import type { MirrorMount } from '../services/mirror.ts';
import { startMirrorProcess, type MirrorRun } from '../services/mirrorProcess.ts';
import { writeMirrorFaults, type MirrorFaultRule } from '../services/mirrorFaults.ts';
import { healPartition, partition, restoreDhcp, silenceDhcp } from './netFaults.ts';
import { writeTftpTree, type TftpTree } from '../services/tftpTree.ts';
import { startHelper, type Helper, type HelperSpec } from './helper.ts';
import { clearImpairment, impair, setLink, type FaultMechanism, type Impairment } from './faults.ts';
import { inNetns } from './ip.ts';
import { labNames, newRunId, type LabNames } from './names.ts';
import { createNetns, deleteNetns, loopbackUp, netnsPath } from './netns.ts';
import { createBridge, createTap, deleteLink, labIpv6Prefix } from './network.ts';
import type { ProcId } from './procs.ts';
import { reapStaleRuns } from './reap.ts';
import { reapTempDirs } from './tempDirs.ts';
import { onTerminate } from './signals.ts';
import { createRunState } from './state.ts';
import { Teardown } from './teardown.ts';
import { createUserNetns, deleteUserNetns, nsenterArgs } from './userns.ts';

export interface LabOptions {
  topology: Topology;
  runId?: string;
  /** TFTP root (the rendered `<out>/tftp`); without it (and without tftpTree) dnsmasq does DHCP only. */
  tftpRoot?: string;
  /** A TFTP tree the lab writes into its own run dir (and removes with it), when nothing was rendered. */
  tftpTree?: TftpTree;
  /** What the mirror serves; without it no mirror runs. */
  mirrorMounts?: MirrorMount[];
  /** No dnsmasq at all (tests of the bare network). */
  noDhcp?: boolean;
  /** Logs kept after teardown (dnsmasq.log, access.log); default: inside the run dir, removed with it. */
  logDir?: string;
  /** Tear down on SIGINT/SIGTERM/SIGHUP (default true). */
  handleSignals?: boolean;
  /** Reap runs left by killed harness processes before starting (default true). */
  reapStale?: boolean;
  /**
   * Hold the namespace in a user namespace instead of `ip netns add`: the default when not
   * root, forced with LAB_ROOTLESS=1. QEMU then still needs /dev/net/tun to be usable by the user.
   */
  rootless?: boolean;
}

export function rootlessByDefault(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.LAB_ROOTLESS === '1' || process.getuid?.() !== 0;
}

/**
 * One lab: a network namespace with a bridge holding the server address, a tap per node,
 * dnsmasq and the mirror running inside it. `Lab.up()` builds it; `down()` removes all of it
 * in reverse order, also when `up()` failed half-way and on SIGINT/SIGTERM.
 */
export class Lab {
  readonly names: LabNames;
  readonly runDir: string;
  readonly logDir: string;
  dnsmasq?: DnsmasqRun;
  mirror?: MirrorRun;
  private readonly teardown = new Teardown();
  private readonly helpers = new Set<Helper>();
  private readonly mirrorRules: MirrorFaultRule[] = [];
  private unregisterSignals?: () => void;
  private downPromise?: Promise<void>;
  private building?: Promise<void>;
  private stopping = false;
  /** Set for rootless labs: the process that holds the user+net namespace. */
  holder?: ProcId;

  private constructor(
    readonly topology: Topology,
    runId: string,
    logDir: string | undefined,
  ) {
    this.names = labNames(runId);
    this.runDir = join(stateRoot(), runId);
    this.logDir = logDir ?? join(this.runDir, 'logs');
  }

  static async up(opts: LabOptions): Promise<Lab> {
    if (opts.reapStale ?? true) {
      await reapStaleRuns();
      reapTempDirs();
    }
    const lab = new Lab(opts.topology, opts.runId ?? newRunId(), opts.logDir);
    if (opts.handleSignals ?? true) lab.unregisterSignals = onTerminate(() => lab.down());
    try {
      lab.building = lab.build(opts);
      await lab.building;
    } catch (err) {
      const failures = await lab.down().then(
        () => [],
        (e: unknown) => [String(e)],
      );
      if (failures.length) throw new LabError(`${err instanceof Error ? err.message : String(err)} (and teardown failed: ${failures.join('; ')})`);
      throw err;
    }
    return lab;
  }

  get runId(): string {
    return this.names.runId;
  }

  get netns(): string {
    return this.names.netns;
  }

  /** What a person types to get a shell in the lab's network. */
  get nsenterCommand(): string {
    if (this.holder) return `nsenter ${nsenterArgs(this.holder).join(' ')}`;
    return `nsenter --net=${netnsPath(this.netns)}`;
  }

  get dnsmasqLog(): string {
    return join(this.logDir, 'dnsmasq.log');
  }

  get accessLog(): string {
    return join(this.logDir, 'access.log');
  }

  get mirrorUrl(): string {
    const { serverIp, mirrorPort } = this.topology.network;
    return `http://${serverIp}:${mirrorPort}`;
  }

  tapOf(nodeName: string): string {
    const i = this.topology.nodes.findIndex((n) => n.name === nodeName);
    if (i < 0) throw new LabError(`no node ${nodeName} in this lab (have: ${this.topology.nodes.map((n) => n.name).join(', ')})`);
    return this.names.tap(i);
  }

  /** Between the steps of build(): a Ctrl-C while starting stops it from creating more. */
  private checkpoint(): void {
    if (this.stopping) throw new LabError(`lab ${this.runId} was stopped while starting`);
  }

  private async build(opts: LabOptions): Promise<void> {
    const { network, nodes } = this.topology;
    createRunState(this.runId);
    this.teardown.add(`remove ${this.runDir}`, () => rmSync(this.runDir, { recursive: true, force: true }));
    mkdirSync(this.logDir, { recursive: true });

    if (opts.rootless ?? rootlessByDefault()) {
      const holder = await createUserNetns(this.netns, this.runDir);
      this.holder = holder;
      this.teardown.add(`stop the holder of namespace ${this.netns}`, () => deleteUserNetns(this.netns, holder));
      await loopbackUp(this.netns);
    } else {
      await createNetns(this.netns);
      this.teardown.add(`delete namespace ${this.netns}`, () => deleteNetns(this.netns));
    }
    this.checkpoint();
    await createBridge(this.netns, this.names.bridge, network.serverIp, network.prefix);
    this.teardown.add(`delete bridge ${this.names.bridge}`, () => deleteLink(this.netns, this.names.bridge));
    this.checkpoint();
    await dropEgress(this.netns, `${networkOf(network.serverIp, network.prefix)}/${network.prefix}`);
    for (const node of nodes) {
      const tap = this.tapOf(node.name);
      await createTap(this.netns, tap, this.names.bridge);
      this.teardown.add(`delete tap ${tap}`, () => deleteLink(this.netns, tap));
      this.checkpoint();
    }

    let tftpRoot = opts.tftpRoot;
    if (opts.tftpTree) {
      tftpRoot = join(this.runDir, 'tftp');
      writeTftpTree(tftpRoot, opts.tftpTree);
    }
    if (!opts.noDhcp) {
      this.dnsmasq = await startDnsmasq({
        netns: this.netns,
        runDir: this.runDir,
        settings: {
          interface: this.names.bridge,
          serverIp: network.serverIp,
          prefix: network.prefix,
          nodes,
          tftpRoot,
          logFile: this.dnsmasqLog,
          ipv6RaPrefix: labIpv6Prefix,
          // The lab server is the nodes' router, as an edge site's is; an air-gapped segment has none.
          ...(network.defaultRoute === false ? {} : { router: network.serverIp }),
        },
      }).catch((err: unknown) => {
        throw new LabError(`dnsmasq: ${err instanceof Error ? err.message : String(err)}`);
      });
      this.track(this.dnsmasq.helper);
      this.checkpoint();
    }
    if (opts.mirrorMounts) {
      this.mirror = await startMirrorProcess({
        netns: this.netns,
        runDir: this.runDir,
        mirror: { host: network.serverIp, port: network.mirrorPort, mounts: opts.mirrorMounts, accessLog: this.accessLog, faultsFile: this.mirrorFaultsFile },
      });
      this.track(this.mirror.helper);
    }
  }

  private track(h: Helper): void {
    this.helpers.add(h);
    this.teardown.add(`stop ${h.name}`, async () => {
      await h.stop();
      this.helpers.delete(h);
    });
  }

  /**
   * Starts another process inside the lab (a QEMU machine): it gets a pid file, so a killed run
   * is reaped, and it is stopped at teardown before the network it uses goes away.
   */
  spawn(spec: Omit<HelperSpec, 'netns' | 'runDir'>): Helper {
    const h = startHelper({ ...spec, netns: this.netns, runDir: this.runDir });
    this.track(h);
    return h;
  }

  /** argv that runs a short command inside the lab namespace (probes, tests). */
  inside(cmd: string, args: string[] = []): [string, string[]] {
    return inNetns(this.netns, cmd, args);
  }

  async linkDown(nodeName: string): Promise<void> {
    await setLink(this.netns, this.tapOf(nodeName), 'down');
  }

  async linkUp(nodeName: string): Promise<void> {
    await setLink(this.netns, this.tapOf(nodeName), 'up');
  }

  /** Impairs traffic towards a node; says which mechanism did it (netem, or nftables where netem is missing). */
  async impair(nodeName: string, imp: Impairment): Promise<FaultMechanism> {
    return impair(this.netns, this.tapOf(nodeName), imp);
  }

  async clearImpairment(nodeName: string): Promise<void> {
    await clearImpairment(this.netns, this.tapOf(nodeName));
  }

  /** Where the mirror reads its fault rules (mirrorFaults.ts); it lives and dies with the run dir. */
  get mirrorFaultsFile(): string {
    return join(this.runDir, 'mirror-faults.json');
  }

  /** The next `count` requests for `path` answer 404/503 or stall; rules add up until the run ends. */
  addMirrorFault(rule: MirrorFaultRule): void {
    this.mirrorRules.push(rule);
    writeMirrorFaults(this.mirrorFaultsFile, this.mirrorRules);
  }

  /** Bridged traffic between the two sets of nodes is dropped both ways; replaces any partition. */
  async partition(a: readonly string[], b: readonly string[]): Promise<void> {
    const ipOf = (name: string) => this.nodeSpec(name).ip;
    await partition(this.netns, a.map(ipOf), b.map(ipOf));
  }

  async healPartition(): Promise<void> {
    await healPartition(this.netns);
  }

  /** dnsmasq never hears the node's DHCP requests until restoreDhcp. */
  async silenceDhcp(nodeName: string): Promise<void> {
    await silenceDhcp(this.netns, this.nodeSpec(nodeName).mac);
  }

  async restoreDhcp(nodeName: string): Promise<void> {
    await restoreDhcp(this.netns, this.nodeSpec(nodeName).mac);
  }

  private nodeSpec(name: string): NodeSpec {
    const n = this.topology.nodes.find((x) => x.name === name);
    if (!n) throw new LabError(`no node ${name} in this lab (have: ${this.topology.nodes.map((x) => x.name).join(', ')})`);
    return n;
  }

  /** Tears everything down, in reverse order of creation; safe to call more than once. */
  down(): Promise<void> {
    this.stopping = true;
    this.downPromise ??= (async () => {
      // A build in flight finishes its current step (and registers its undo) before we undo.
      await this.building?.catch(() => undefined);
      const failures = await this.teardown.run();
      this.unregisterSignals?.();
      if (failures.length) throw new LabError(`lab ${this.runId} teardown: ${failures.join('; ')}`);
    })();
    return this.downPromise;
  }
}
