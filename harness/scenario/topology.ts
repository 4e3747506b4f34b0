/** The shape of a lab's network and machines: what every room downstream of the scenario reads. */
export type NodeRole = 'init' | 'server' | 'agent';

export interface NodeSpec {
  /** Unique within the lab; also the hostname: `node-1`. */
  name: string;
  /** Locally administered unicast, lower case: `52:54:00:…`. */
  mac: string;
  ip: string;
  role: NodeRole;
}

export interface NetworkSpec {
  /** CIDR prefix length of the lab subnet. */
  prefix: number;
  /** The PXE/HTTP server's address on the lab bridge (the seed uses 10.0.0.5). */
  serverIp: string;
  /** The HTTP mirror's port on serverIp (the seed uses 8080). */
  mirrorPort: number;
  /**
   * Whether DHCP gives the nodes a default route through the lab server (default: yes, as an edge
   * site's router does; nothing routed leaves the lab: harness/lab/egress.ts). `false` is an
   * air-gapped segment with no router at all, where k3s cannot pick its address by itself.
   */
  defaultRoute?: boolean;
}

export interface Topology {
  network: NetworkSpec;
  nodes: NodeSpec[];
}

export const defaultNetwork: NetworkSpec = { prefix: 24, serverIp: '10.0.0.5', mirrorPort: 8080 };

/** pxelinux looks up its config by the client's IPv4 address in upper-case hex: 10.0.0.70 → 0A000046. */
export function hexIp(ip: string): string {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`not an IPv4 address: ${ip}`);
  }
  return parts.map((p) => p.toString(16).toUpperCase().padStart(2, '0')).join('');
}
