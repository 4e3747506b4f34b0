/** The address k3s would pick without --node-ip: the first non-loopback IPv4 address. */
import { networkInterfaces } from 'node:os';
import { fatal } from './log.ts';

export function defaultNodeIp(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  fatal('no non-loopback IPv4 address found; give --node-ip');
}
