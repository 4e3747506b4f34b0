/**
 * What one lab takes of its host: each node's VM gets this much memory (the live PXE system keeps
 * its root in RAM), and a lab adds dnsmasq, the mirror and the harness. The run's preflight and
 * `lab matrix --jobs` both count with these.
 */
export const nodeMemoryMiB = 2048;
export const labOverheadMiB = 512;
