/** Starts K3s doubles inside namespaces and waits on what they log and serve. */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync, existsSync } from 'node:fs';
import { execa } from 'execa';
import { dirname, join, resolve } from 'node:path';
import { killNamespace } from './k3sNetns.ts';

export interface DoubleNode {
  name: string;
  ns: string;
  ip: string;
  dataDir: string;
  kubeconfig: string;
  logFile: string;
  child?: ChildProcess;
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
