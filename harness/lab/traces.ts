import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installsRoot, stateRoot } from '../paths.ts';
import { isRunId, runIdOfNetns } from './names.ts';
import { listNetns } from './netns.ts';

/**
 * Everything of the lab's that can outlive a run, as lines a person can act on: processes
 * (QEMU, dnsmasq, the mirror and probe helpers), network namespaces (bridge and taps live in
 * them), run records, the namespaces' bind mounts, and temp dirs. The soak and the signal tests
 * compare it before and after a run; `lab clean` is what removes such traces.
 */
export async function labTraces(opts: { stateDir?: string; tmp?: string; installs?: string } = {}): Promise<string[]> {
  const traces: string[] = [];
  for (const p of labProcesses()) traces.push(`process ${p.pid}: ${p.cmdline.slice(0, 160)}`);
  for (const ns of await listNetns()) if (runIdOfNetns(ns)) traces.push(`namespace ${ns}`);
  for (const line of readLines('/proc/self/mountinfo')) {
    const mountPoint = line.split(' ')[4] ?? '';
    if (/\/netns\/fkl-/.test(mountPoint)) traces.push(`mount ${mountPoint}`);
  }
  const state = opts.stateDir ?? stateRoot();
  for (const n of safeReaddir(state)) if (isRunId(n) || n.endsWith('.partial')) traces.push(`run record ${join(state, n)}`);
  const tmp = opts.tmp ?? tmpdir();
  for (const n of safeReaddir(tmp)) if (n.startsWith('fkl-')) traces.push(`temp dir ${join(tmp, n)}`);
  // A run keeps its installs aside until they proved to boot (harness/artifacts/installCache.ts).
  const installs = opts.installs ?? installsRoot();
  for (const n of safeReaddir(installs)) if (n.startsWith('fkl-')) traces.push(`install being kept ${join(installs, n)}`);
  return [...new Set(traces)].sort();
}

interface Proc {
  pid: number;
  cmdline: string;
}

/** Processes a lab starts: matched by program, and by a lab path or a network namespace of their own. */
function labProcesses(): Proc[] {
  const hostNet = safeReadlink('/proc/self/ns/net');
  const out: Proc[] = [];
  for (const n of safeReaddir('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    const cmdline = safeRead(`/proc/${n}/cmdline`).split('\0').join(' ').trim();
    if (!/qemu-system-|dnsmasq|mirrorMain\.ts|probeServer\.ts/.test(cmdline)) continue;
    const ownNet = safeReadlink(`/proc/${n}/ns/net`) !== hostNet;
    if (ownNet || /fkl-|flatcar-k3s-lab/.test(cmdline)) out.push({ pid: Number(n), cmdline });
  }
  return out;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function safeReadlink(file: string): string | undefined {
  try {
    return readlinkSync(file);
  } catch {
    return undefined;
  }
}

function readLines(file: string): string[] {
  return safeRead(file).split('\n');
}
