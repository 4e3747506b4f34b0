/**
 * What one lab takes of its host: each node's VM gets this much memory (the live PXE system keeps
 * its root in RAM), and a lab adds dnsmasq, the mirror and the harness. The run's preflight and
 * `lab matrix --jobs` both count with these.
 */
export const nodeMemoryMiB = 2048;
export const labOverheadMiB = 512;

/** More vCPUs than this buy little under TCG and nothing the lab's guests need. */
const maxNodeCpus = 4;

/**
 * vCPUs per node: the host's cores shared out among the run's nodes, at least one. Under TCG a
 * guest is all CPU and QEMU runs one host thread per vCPU (multi-threaded TCG, QEMU's default for
 * an x86 guest on an x86 host), so a lone node on two cores gets both; three nodes on two cores
 * get one each, as before. With KVM the same share applies.
 */
export function nodeCpus(hostCpus: number, nodes: number, env: NodeJS.ProcessEnv = {}): number {
  // LAB_NODE_CPUS (checked by checkEnvironment) overrides the share, for a bench or a big KVM host.
  if (env.LAB_NODE_CPUS) return Number(env.LAB_NODE_CPUS);
  return Math.max(1, Math.min(maxNodeCpus, Math.floor(hostCpus / Math.max(1, nodes))));
}
