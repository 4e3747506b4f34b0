import { run } from './ip.ts';
import { labIpv6Prefix } from './network.ts';

/**
 * Nothing leaves the lab, also now that nodes have a default route through the lab server (a
 * real edge segment has a router; k3s needs a default route to pick its address). The lab's
 * namespace has no uplink, so a routed packet has nowhere to go; this table says so explicitly:
 * anything forwarded towards an address outside the lab's own subnets is dropped and counted.
 * Bridged traffic between nodes stays inside the subnet (with br_netfilter loaded, as Docker does,
 * it passes this hook too), and broadcast and multicast (DHCP, IPv6 ND/RA) are let through.
 */
const table = 'fkl_egress';

export function egressRules(subnet: string): string {
  return [
    `table inet ${table} {`,
    '  chain forward {',
    '    type filter hook forward priority 0; policy accept;',
    `    meta nfproto ipv4 ip daddr != { ${subnet}, 255.255.255.255, 224.0.0.0/4 } counter drop`,
    `    meta nfproto ipv6 ip6 daddr != { ${labIpv6Prefix}/64, fe80::/10, ff00::/8 } counter drop`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** A new namespace starts with forwarding off (net.ipv4.ip_forward=0); the table is the second wall. It goes with the namespace. */
export async function dropEgress(netns: string, subnet: string): Promise<void> {
  await run('nft', ['-f', '-'], { netns, input: egressRules(subnet) });
}
