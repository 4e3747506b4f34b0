import { LabError } from '../errors.ts';
import { ip } from './ip.ts';

/** Unique-local /64 on every lab bridge; each lab has its own namespace, so they never meet. */
export const labIpv6Prefix = 'fd00:1ab::';

/**
 * The lab's L2 segment: one bridge holding the server address. STP off and forward delay 0:
 * with the kernel defaults a new port stays in listening/learning for 2×15 s and the first
 * DHCP of a PXE client is lost (measured: 26.6 s instead of 9.4 s to the first marker).
 */
export async function createBridge(netns: string, name: string, address: string, prefix: number): Promise<void> {
  await ip(['link', 'add', 'name', name, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0'], netns);
  await ip(['addr', 'add', `${address}/${prefix}`, 'dev', name], netns);
  // A unique-local address, only so dnsmasq has a prefix to send router advertisements for.
  await ip(['-6', 'addr', 'add', `${labIpv6Prefix}5/64`, 'dev', name, 'nodad'], netns);
  await ip(['link', 'set', name, 'up'], netns);
}

/** A persistent tap on the bridge; QEMU running in the same namespace opens it by name. */
export async function createTap(netns: string, name: string, bridge: string): Promise<void> {
  try {
    await ip(['tuntap', 'add', 'dev', name, 'mode', 'tap'], netns);
  } catch (err) {
    if (err instanceof Error && /open: Permission denied/.test(err.message)) {
      throw new LabError(
        `cannot create tap ${name}: /dev/net/tun is not usable by uid ${process.getuid?.()} (run as root, or give this user access to /dev/net/tun)`,
        2,
      );
    }
    throw err;
  }
  await ip(['link', 'set', name, 'master', bridge], netns);
  await ip(['link', 'set', name, 'up'], netns);
}

export async function deleteLink(netns: string, name: string): Promise<void> {
  await ip(['link', 'del', name], netns);
}

export async function linkNames(netns: string): Promise<string[]> {
  const out = await ip(['-o', 'link', 'show'], netns);
  return out
    .split('\n')
    .map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined);
}
