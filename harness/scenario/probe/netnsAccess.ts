import { execa, type ResultPromise } from 'execa';
import { rmSync, writeFileSync } from 'node:fs';
import { dieWithParent } from '../../lab/parentDeath.ts';
import { ownedTempDir } from '../../lab/tempDirs.ts';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { LabError } from '../../errors.ts';
import type { CommandResult } from '../../guest/ssh.ts';
import type { ClusterView } from '../evidence.ts';
import type { LabAccess } from '../labAccess.ts';
import { asRoot } from '../runContext.ts';
import type { NodeSpec } from '../topology.ts';
import type { ProbeRequest, ProbeResponse } from './protocol.ts';
import { batchScript, parseBatch } from '../probeBatch.ts';

const serverFile = join(dirname(fileURLToPath(import.meta.url)), 'probeServer.ts');
const k3sTls = '/var/lib/rancher/k3s/server/tls/etcd';
const kubeconfigPath = '/etc/rancher/k3s/k3s.yaml';
const etcdFiles = { cacert: 'server-ca.crt', cert: 'client.crt', key: 'client.key' } as const;
const etcdCredCommands = (): Record<string, string> => Object.fromEntries(Object.entries(etcdFiles).map(([k, f]) => [k, `cat ${k3sTls}/${f}`]));

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type Body<T> = T extends unknown ? Omit<T, 'id'> : never;

/**
 * LabAccess for a lab in a network namespace: one probe process inside it does the talking.
 * The cluster is read from the init node: its kubeconfig (k3s.yaml, server rewritten to the
 * node's lab address) and its etcd client certificates, both fetched over SSH once and kept in
 * a private temp dir that close() removes.
 */
export class NetnsAccess implements LabAccess {
  readonly #child: ResultPromise;
  readonly #pending = new Map<number, Pending>();
  /** Made when the etcd certificates are first fetched; removed by close(). */
  #tmp: string | undefined;
  #nextId = 1;
  #kubeconfig: string | undefined;
  #etcdCreds: { cacert: string; cert: string; key: string } | undefined;
  #closed = false;

  /**
   * `enter` turns a command into one that runs inside the lab (the lab's `inside`: `ip netns exec`
   * or `nsenter` for rootless labs); undefined runs the probe on the host (tests on loopback).
   */
  constructor(
    enter: ((cmd: string, args: string[]) => [string, string[]]) | undefined,
    readonly privateKey: string,
    readonly initNode: NodeSpec,
    readonly opts: { username?: string; sshPort?: number; apiPort?: number; apiTimeoutMs?: number } = {},
  ) {
    const node: [string, string[]] = [process.execPath, ['--import', 'tsx', serverFile]];
    const [file, args] = enter ? dieWithParent(...enter(...node)) : node;
    this.#child = execa(file, args, {
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'inherit',
      reject: false,
      cleanup: true,
    });
    createInterface({ input: this.#child.stdout! }).on('line', (line) => {
      let res: ProbeResponse;
      try {
        res = JSON.parse(line) as ProbeResponse;
      } catch {
        return;
      }
      const p = this.#pending.get(res.id);
      if (!p) return;
      this.#pending.delete(res.id);
      if (res.ok) p.resolve(res.value);
      else p.reject(new Error(res.error));
    });
    void this.#child.then((r) => {
      for (const p of this.#pending.values()) p.reject(new LabError(`the lab probe process ended (${r.exitCode ?? r.signal})`));
      this.#pending.clear();
    });
  }

  /** One request to the probe process; an API or etcd that accepts but never answers must not hold a poll forever. */
  #request<T>(body: Body<ProbeRequest>, timeoutMs: number): Promise<T> {
    if (this.#closed) return Promise.reject(new LabError('lab access is closed'));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new LabError(`${body.op} from the lab probe: no answer within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.#pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.#child.stdin!.write(JSON.stringify({ ...body, id }) + '\n');
    });
  }

  ssh(node: NodeSpec, command: string, opts: { timeoutMs?: number } = {}): Promise<CommandResult> {
    return this.#request<CommandResult>({
      op: 'ssh',
      host: node.ip,
      port: this.opts.sshPort ?? 22,
      username: this.opts.username ?? 'core',
      privateKey: this.privateKey,
      command,
      timeoutMs: opts.timeoutMs ?? 60_000,
      // sshRun keeps its own deadline; this one only catches a probe process that went silent.
    }, (opts.timeoutMs ?? 60_000) + 15_000);
  }

  /**
   * The kubeconfig and, while they are not held yet, the etcd client certificates, in one SSH
   * session: k3s writes its certificates before k3s.yaml, so a node that has the one has the
   * others, and under TCG each handshake costs the init node seconds of its one vCPU (a second
   * session for the certificates put 4–5 s after a single-node run's join). Certificates that
   * cannot be read yet are fetched on their own later, as before.
   */
  async #fetchKubeconfig(): Promise<string> {
    const wantCreds = !this.#etcdCreds;
    const commands: Record<string, string> = { kubeconfig: `cat ${kubeconfigPath}`, ...(wantCreds ? etcdCredCommands() : {}) };
    const r = await this.ssh(this.initNode, asRoot(batchScript(commands)), { timeoutMs: 30_000 });
    const got = parseBatch(r.stdout);
    const kubeconfig = got.kubeconfig;
    if (!kubeconfig || kubeconfig.code !== 0) throw new Error(`${this.initNode.name}: cannot read ${kubeconfigPath}: ${kubeconfig?.stderr.trim() || r.stderr.trim() || `exit ${kubeconfig?.code ?? r.code}`}`);
    if (wantCreds && Object.keys(etcdFiles).every((k) => got[k]?.code === 0)) this.#etcdCreds = this.#keepEtcdCreds(got);
    return kubeconfig.stdout;
  }

  /** The init node's kubeconfig as fetched (its server pointed at the node's lab address), once the API was read. */
  kubeconfig(): string | undefined {
    return this.#kubeconfig?.replace(/server: https:\/\/[^\s]+/, `server: https://${this.initNode.ip}:${this.opts.apiPort ?? 6443}`);
  }

  async cluster(opts: { etcd?: boolean; timeoutMs?: number } = {}): Promise<ClusterView> {
    this.#kubeconfig ??= await this.#fetchKubeconfig();
    const server = `https://${this.initNode.ip}:${this.opts.apiPort ?? 6443}`;
    const apiTimeoutMs = opts.timeoutMs ?? this.opts.apiTimeoutMs ?? 30_000;
    const listed = await this.#request<{ name: string; ready: boolean; roles: string[]; lastHeartbeatTime?: string }[]>({ op: 'nodes', kubeconfig: this.#kubeconfig, server }, apiTimeoutMs);
    const view: ClusterView = { nodes: listed.map((n) => ({ name: n.name, ready: n.ready, roles: n.roles, ...(n.lastHeartbeatTime ? { lastHeartbeat: n.lastHeartbeatTime } : {}) })) };
    if (opts.etcd === false) return view;
    try {
      this.#etcdCreds ??= await this.#fetchEtcdCreds();
      const members = await this.#request<{ name: string }[]>({ op: 'etcd', endpoints: [`https://${this.initNode.ip}:2379`], ...this.#etcdCreds }, apiTimeoutMs);
      view.etcdMembers = members.map((m) => m.name);
    } catch (err) {
      // The API answered, etcd did not: the assertion quotes why.
      view.etcdError = err instanceof Error ? err.message : String(err);
    }
    return view;
  }

  async deleteNode(name: string): Promise<void> {
    this.#kubeconfig ??= await this.#fetchKubeconfig();
    await this.#request({ op: 'delete-node', kubeconfig: this.#kubeconfig, server: `https://${this.initNode.ip}:${this.opts.apiPort ?? 6443}`, name }, this.opts.apiTimeoutMs ?? 30_000);
  }

  async #fetchEtcdCreds(): Promise<{ cacert: string; cert: string; key: string }> {
    // One SSH session for the three files (each handshake costs the guest CPU under TCG).
    const r = await this.ssh(this.initNode, asRoot(batchScript(etcdCredCommands())), { timeoutMs: 30_000 });
    const got = parseBatch(r.stdout);
    for (const [k, f] of Object.entries(etcdFiles)) {
      const res = got[k];
      if (!res || res.code !== 0) throw new Error(`${this.initNode.name}: cannot read ${k3sTls}/${f}: ${res?.stderr.trim() || r.stderr.trim() || 'no answer'}`);
    }
    return this.#keepEtcdCreds(got);
  }

  /** The certificates as private files (close() removes them), by the names etcdctl takes. */
  #keepEtcdCreds(got: Record<string, CommandResult>): { cacert: string; cert: string; key: string } {
    this.#tmp ??= ownedTempDir('probe');
    const out: Record<string, string> = {};
    for (const [k, f] of Object.entries(etcdFiles)) {
      const local = join(this.#tmp, f);
      writeFileSync(local, got[k]!.stdout, { mode: 0o600 });
      out[k] = local;
    }
    return out as { cacert: string; cert: string; key: string };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#child.stdin?.end();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 3000);
    await this.#child;
    clearTimeout(timer);
    if (this.#tmp) rmSync(this.#tmp, { recursive: true, force: true });
  }
}
