/**
 * The address a server advertises when it is given none, chosen as Kubernetes' apiserver does
 * (k8s.io/apimachinery util/net ChooseHostInterface, which k3s's server runs): the default routes
 * in /proc/net/route and /proc/net/ipv6_route, and the IPv4 address of a default route's
 * interface. With no default route it cannot choose, and k3s exits with the apiserver's error,
 * quoted as k3s printed it in k3s issue #1144 (and #2135, #6265):
 *   apiserver exited: unable to find suitable network address.error='no default routes found in
 *   "/proc/net/route" or "/proc/net/ipv6_route"'. Try to set the AdvertiseAddress directly or
 *   provide a valid BindAddress to fix this
 * k3s's air-gap docs: "If your nodes do not have an interface with a default route, a default
 * route must be configured; even a black-hole route via a dummy interface will suffice."
 * With default routes whose interfaces carry no usable address the apiserver says "unable to
 * select an IP from default routes." (as k3s printed it in rancher/rancher #37069, #28189).
 */
import { networkInterfaces } from 'node:os';
import { readFileSync } from 'node:fs';
import { fatal } from './log.ts';

export interface DefaultRoute {
  iface: string;
  family: 4 | 6;
}

/** Default routes from the kernel's route tables, as text (parsed apart so tests can give their own). */
export function defaultRoutes(route4: string, route6: string): DefaultRoute[] {
  const out: DefaultRoute[] = [];
  // Iface Destination Gateway Flags …: destination 00000000 is a default route (a blackhole one
  // has no device and shows as "*").
  for (const line of route4.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 8 && f[1] === '00000000' && f[7] === '00000000') out.push({ iface: f[0]!, family: 4 });
  }
  // dest destlen src srclen nexthop metric refcnt use flags iface: ::/0; the kernel's own
  // unreachable ::/0 entries sit on lo and are not routes anyone configured.
  for (const line of route6.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 10 && /^0{32}$/.test(f[0]!) && f[1] === '00' && f[9] !== 'lo') out.push({ iface: f[9]!, family: 6 });
  }
  return out;
}

const noDefaultRoutes = `no default routes found in "/proc/net/route" or "/proc/net/ipv6_route"`;

export function apiserverAddressError(why: string): string {
  return `apiserver exited: unable to find suitable network address.error='${why}'. Try to set the AdvertiseAddress directly or provide a valid BindAddress to fix this`;
}

type Interfaces = ReturnType<typeof networkInterfaces>;

/** The host address from the default routes, or the apiserver's error when there is none to choose. */
export function chooseHostAddress(routes: DefaultRoute[], interfaces: Interfaces): { ip: string } | { error: string } {
  if (routes.length === 0) return { error: apiserverAddressError(noDefaultRoutes) };
  // The double runs IPv4 clusters only: an IPv6 default route does not give it an address.
  for (const r of routes.filter((x) => x.family === 4)) {
    const addr = (interfaces[r.iface] ?? []).find((a) => a.family === 'IPv4' && !a.internal && !a.address.startsWith('169.254.'));
    if (addr) return { ip: addr.address };
  }
  return { error: apiserverAddressError('unable to select an IP from default routes.') };
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The server's address when none of --node-ip, --advertise-address, --bind-address is given: fatal without a default route. */
export function hostAddressFromRoutes(): string {
  const chosen = chooseHostAddress(defaultRoutes(readOr('/proc/net/route'), readOr('/proc/net/ipv6_route')), networkInterfaces());
  if ('error' in chosen) fatal(chosen.error);
  return chosen.ip;
}

/**
 * The first non-loopback IPv4 address: where an address is given some other way (--bind-address)
 * or for an agent, whose choice without a default route k3s does not document; the double keeps
 * to what it did before rather than invent a refusal.
 */
export function defaultNodeIp(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  fatal('no non-loopback IPv4 address found; give --node-ip');
}
