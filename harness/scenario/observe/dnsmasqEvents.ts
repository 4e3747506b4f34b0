import type { Observation } from '../observations.ts';
import type { NodeIndex } from './nodeIndex.ts';

const dhcpAck = /DHCPACK\(([^)]*)\) (\d+\.\d+\.\d+\.\d+) ([0-9a-fA-F:]{17})/;
const tftpSent = /sent (\S*?pxelinux\.cfg\/([0-9A-Fa-f]{8})) to (\d+\.\d+\.\d+\.\d+)/;
const tftpOther = /sent (\S+) to (\d+\.\d+\.\d+\.\d+)/;

/**
 * One dnsmasq log line → an observation, when it concerns a node of the lab:
 * `DHCPACK(<iface>) <ip> <mac>` proves `dhcp`, `sent …/pxelinux.cfg/<HEXIP> to <ip>` proves
 * `pxe-config`. Other TFTP transfers (pxelinux.0, ldlinux.c32) are kept for the timeline.
 * dnsmasq's own timestamps have no year and are local time, so the time a line is read is used.
 */
export function dnsmasqObservation(line: string, nodes: NodeIndex, at = Date.now()): Observation | undefined {
  const ack = dhcpAck.exec(line);
  if (ack) {
    const node = nodes.byMac(ack[3]!) ?? nodes.byIp(ack[2]!);
    if (!node) return undefined;
    return { at, node: node.name, source: 'dhcp', kind: 'dhcp-ack', detail: `DHCPACK ${ack[2]} to ${ack[3]!.toLowerCase()}`, phase: 'dhcp' };
  }
  const cfg = tftpSent.exec(line);
  if (cfg) {
    const node = nodes.byIp(cfg[3]!);
    if (!node) return undefined;
    return { at, node: node.name, source: 'tftp', kind: 'tftp-pxe-config', detail: `TFTP sent pxelinux.cfg/${cfg[2]!.toUpperCase()}`, phase: 'pxe-config' };
  }
  const other = tftpOther.exec(line);
  if (other) {
    const node = nodes.byIp(other[2]!);
    if (!node) return undefined;
    const file = other[1]!.split('/').pop() ?? other[1]!;
    return { at, node: node.name, source: 'tftp', kind: 'tftp-sent', detail: `TFTP sent ${file}` };
  }
  return undefined;
}
