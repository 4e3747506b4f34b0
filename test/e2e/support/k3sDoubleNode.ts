/** Starts K3s doubles inside namespaces and waits on what they log and serve. */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { dirname, join, resolve } from 'node:path';
import { buildK3sDouble } from '../../../images/k3s-double/build.ts';
import { createNetnsLab, killNamespace, runNamespacePrefix, type NetnsLab } from './k3sNetns.ts';

export interface DoubleNode {
  name: string;
  ns: string;
  ip: string;
  dataDir: string;
  kubeconfig: string;
  logFile: string;
  child?: ChildProcess;
}

/** A node's files under the test's root: its data dir, kubeconfig and log. */
export function doubleNode(root: string, at: { ns: string; ip: string }, name: string): DoubleNode {
  return { name, ns: at.ns, ip: at.ip, dataDir: join(root, name, 'data'), kubeconfig: join(root, name, 'k3s.yaml'), logFile: join(root, `${name}.log`) };
}

export interface DoubleLab {
  root: string;
  /** The double, built once for the test file. */
  bin: string;
  lab: NetnsLab;
  /** node-1 … node-N, one per namespace. */
  nodes: DoubleNode[];
  /** Kills what runs in the namespaces, deletes them and the root. */
  destroy(): Promise<void>;
}

/** A temp root, the double built into it, and a lab of `count` namespaces on `subnet` (one letter per test file). */
export async function createDoubleLab(tag: string, letter: string, count: number, subnet: string): Promise<DoubleLab> {
  const root = mkdtempSync(join(tmpdir(), `k3s-double-${tag}-`));
  const removeRoot = () => rmSync(root, { recursive: true, force: true });
  try {
    const bin = await buildK3sDouble(join(root, 'bin', 'k3s'));
    const lab = await createNetnsLab(runNamespacePrefix(letter), count, subnet, removeRoot);
    const nodes = lab.nodes.map((n, i) => doubleNode(root, n, `node-${i + 1}`));
    return { root, bin, lab, nodes, destroy: async () => (await lab.destroy(), removeRoot()) };
  } catch (e) {
    removeRoot();
    throw e;
  }
}

export function startDouble(bin: string, node: DoubleNode, args: string[], env: Record<string, string> = {}): ChildProcess {
  const fd = openSync(node.logFile, 'a');
  const child = spawn('ip', ['netns', 'exec', node.ns, bin, ...args, `--data-dir=${node.dataDir}`, `--write-kubeconfig=${node.kubeconfig}`, `--node-name=${node.name}`], {
    stdio: ['ignore', fd, fd],
    // Each double keeps its node password beside its data, not in the host's /etc/rancher/node.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LAB_DOUBLE_NODE_PASSWORD_FILE: join(dirname(node.dataDir), 'node-password'), ...env },
  });
  closeSync(fd);
  node.child = child;
  return child;
}

/** A node dies as a machine would: every process in its namespace gets SIGKILL. */
export function killNode(node: DoubleNode): void {
  killNamespace(node.ns);
}

export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, everyMs = 1000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function logOf(node: DoubleNode): string {
  return existsSync(node.logFile) ? readFileSync(node.logFile, 'utf8') : '';
}

const probeScript = resolve(import.meta.dirname, 'k3sProbe.ts');
const tsx = resolve(import.meta.dirname, '../../../node_modules/.bin/tsx');

export async function probe<T>(ns: string, ...args: string[]): Promise<T> {
  const r = await execa('ip', ['netns', 'exec', ns, tsx, probeScript, ...args], { reject: false, timeout: 60_000 });
  if (r.exitCode !== 0) throw new Error((r.stderr || r.stdout || `exit ${r.exitCode}`).trim().split('\n').pop());
  return JSON.parse(r.stdout) as T;
}

export const dataPath = (root: string, name: string) => join(root, name);
