import type { NodeSpec } from '../topology.ts';

/** Looks nodes up by what the services' logs name them by: IP, MAC, or hex IP in a file name. */
export interface NodeIndex {
  byIp(ip: string): NodeSpec | undefined;
  byMac(mac: string): NodeSpec | undefined;
}

export function nodeIndex(nodes: readonly NodeSpec[]): NodeIndex {
  const ips = new Map(nodes.map((n) => [n.ip, n]));
  const macs = new Map(nodes.map((n) => [n.mac.toLowerCase(), n]));
  return {
    byIp: (ip) => ips.get(ip),
    byMac: (mac) => macs.get(mac.toLowerCase()),
  };
}
