import { existsSync } from 'node:fs';
import { run } from './ip.ts';

export function netnsPath(name: string): string {
  return `/run/netns/${name}`;
}

export function netnsExists(name: string): boolean {
  return existsSync(netnsPath(name));
}

export async function listNetns(): Promise<string[]> {
  const out = await run('ip', ['netns', 'list']);
  return out
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter(Boolean);
}

export async function createNetns(name: string): Promise<void> {
  await run('ip', ['netns', 'add', name]);
  await loopbackUp(name);
}

export async function loopbackUp(name: string): Promise<void> {
  // Loopback up, so helpers that talk to themselves (and `curl 127.0.0.1` when poking) work.
  await run('ip', ['link', 'set', 'lo', 'up'], { netns: name });
}

/** Pids of every process whose network namespace is this one. */
export async function netnsPids(name: string): Promise<number[]> {
  if (!netnsExists(name)) return [];
  const out = await run('ip', ['netns', 'pids', name], { allowFail: true });
  return out
    .split('\n')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
}

export async function deleteNetns(name: string): Promise<void> {
  if (!netnsExists(name)) return;
  await run('ip', ['netns', 'del', name]);
}
