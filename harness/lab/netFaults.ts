/**
 * Faults of the lab's network that act between nodes or on the boot infrastructure, as nftables
 * tables in the lab's own namespace (so they vanish with it, also after a killed run):
 *   partition — bridged IPv4 between two sets of node addresses is dropped both ways
 *   DHCP silence — a node's DHCP requests never reach dnsmasq (it keeps its lease; a new boot gets none)
 * Link down and loss/delay on one node's link live in faults.ts.
 */
import { run } from './ip.ts';

export const partitionTable = 'fkl_partition';

/** Drops bridged IPv4 from any address of `a` to any of `b` and back. */
export function partitionScript(a: readonly string[], b: readonly string[]): string {
  if (a.length === 0 || b.length === 0) throw new Error('a partition needs a node on each side');
  const set = (ips: readonly string[]) => `{ ${ips.join(', ')} }`;
  return [
    `table bridge ${partitionTable} {`,
    '  chain forward {',
    '    type filter hook forward priority 0;',
    `    ip saddr ${set(a)} ip daddr ${set(b)} drop`,
    `    ip saddr ${set(b)} ip daddr ${set(a)} drop`,
    '  }',
    '}',
    '',
  ].join('\n');
}

export function dhcpTable(mac: string): string {
  return `fkl_dhcp_${mac.replace(/:/g, '')}`;
}

/** DHCP from this MAC to the lab server (dnsmasq on the bridge) is dropped before it is read. */
export function dhcpSilenceScript(mac: string): string {
  return [
    `table bridge ${dhcpTable(mac)} {`,
    '  chain input {',
    '    type filter hook input priority -10;',
    `    ether saddr ${mac} udp dport 67 drop`,
    '  }',
    '}',
    '',
  ].join('\n');
}

async function replaceTable(netns: string, table: string, script: string): Promise<void> {
  await dropTable(netns, table);
  await run('nft', ['-f', '-'], { netns, input: script });
}

async function dropTable(netns: string, table: string): Promise<void> {
  // Deleting what is not there fails; that is the state we want anyway.
  await run('nft', ['delete', 'table', 'bridge', table], { netns, allowFail: true });
}

export async function partition(netns: string, a: readonly string[], b: readonly string[]): Promise<void> {
  await replaceTable(netns, partitionTable, partitionScript(a, b));
}

export async function healPartition(netns: string): Promise<void> {
  await dropTable(netns, partitionTable);
}

export async function silenceDhcp(netns: string, mac: string): Promise<void> {
  await replaceTable(netns, dhcpTable(mac), dhcpSilenceScript(mac));
}

export async function restoreDhcp(netns: string, mac: string): Promise<void> {
  await dropTable(netns, dhcpTable(mac));
}
