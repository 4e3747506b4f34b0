/**
 * How many combinations run at once. `--jobs N` is an upper bound; `--jobs auto` takes the host's
 * cores and memory. Either way a combination starts only when its machines fit in what the running
 * ones leave (memory always; cores under auto), so a matrix never starts more labs than the host
 * holds — one lab at a time always runs, and its own preflight says when even that does not fit.
 */
import { UsageError } from '../errors.ts';

import { labOverheadMiB, nodeMemoryMiB } from '../scenario/machineSize.ts';

export { labOverheadMiB, nodeMemoryMiB };
/**
 * A node counts one core: its QEMU keeps one busy for the whole run (README: 95 % of a core under
 * TCG). A lone lab's nodes get the host's spare cores as vCPUs (machineSize.ts nodeCpus); labs
 * side by side share them, which costs speed, not correctness.
 */
export const coresPerNode = 1;

export type JobsSpec = { kind: 'count'; count: number } | { kind: 'auto' };

export function parseJobs(text: string): JobsSpec {
  if (text.trim() === 'auto') return { kind: 'auto' };
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new UsageError(`--jobs wants a whole number ≥ 1 or 'auto', not '${text}'`);
  return { kind: 'count', count: Number(text) };
}

export interface Need {
  cpus: number;
  memoryMiB: number;
}

export function needOf(nodes: number): Need {
  return { cpus: nodes * coresPerNode, memoryMiB: nodes * nodeMemoryMiB + labOverheadMiB };
}

export interface HostResources {
  cpus: number;
  /** Memory available now (MemAvailable), MiB. */
  memoryMiB: number;
}

export interface Capacity {
  jobs: number;
  cpus: number;
  memoryMiB: number;
  /** The choice in words, for the matrix's first line. */
  why: string;
}

export function capacityFor(spec: JobsSpec, host: HostResources): Capacity {
  const mem = `${(host.memoryMiB / 1024).toFixed(1)} GiB available, a node takes ${nodeMemoryMiB} MiB + ${labOverheadMiB} MiB a lab`;
  if (spec.kind === 'count') return { jobs: spec.count, cpus: Infinity, memoryMiB: host.memoryMiB, why: `--jobs ${spec.count} (and only as many as fit: ${mem})` };
  return { jobs: Infinity, cpus: host.cpus, memoryMiB: host.memoryMiB, why: `--jobs auto: as many as fit ${host.cpus} cores (a node takes ${coresPerNode}) and ${mem}` };
}

/** Whether one more combination may start next to the running ones. */
export function fits(running: readonly Need[], next: Need, cap: Capacity): boolean {
  if (running.length === 0) return true;
  if (running.length >= cap.jobs) return false;
  const cpus = running.reduce((s, n) => s + n.cpus, 0) + next.cpus;
  const mem = running.reduce((s, n) => s + n.memoryMiB, 0) + next.memoryMiB;
  return cpus <= cap.cpus && mem <= cap.memoryMiB;
}

/** The most combinations of these sizes that could run at once: for the matrix's first line. */
export function mostAtOnce(needs: readonly Need[], cap: Capacity): number {
  const sorted = [...needs].sort((a, b) => a.memoryMiB - b.memoryMiB);
  const running: Need[] = [];
  for (const n of sorted) if (fits(running, n, cap)) running.push(n);
  return running.length;
}
