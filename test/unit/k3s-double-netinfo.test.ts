import { describe, expect, it } from 'vitest';
import { chooseHostAddress, defaultRoutes } from '../../images/k3s-double/src/netinfo.ts';

// /proc/net/route and /proc/net/ipv6_route as the kernel writes them (header line; hex fields).
const header4 = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n';
const lanOnly4 = `${header4}eth0\t0000000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n`;
const withDefault4 = `${header4}eth0\t00000000\t0500000A\t0003\t0\t0\t1024\t00000000\t0\t0\t0\n${lanOnly4.split('\n')[1]}\n`;
const blackhole4 = `${header4}*\t00000000\t00000000\t0201\t0\t0\t0\t00000000\t0\t0\t0\n`;
const kernel6 = [
  'fd0001ab000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0',
  '00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo',
].join('\n');
const eth0 = { eth0: [{ address: '10.0.0.70', netmask: '255.255.255.0', family: 'IPv4' as const, mac: '52:54:00:00:00:46', internal: false, cidr: '10.0.0.70/24' }] };

describe('the K3s double picks its address as the apiserver does (default routes)', () => {
  it('with no default route it gives k3s\'s own error (k3s issue #1144)', () => {
    const routes = defaultRoutes(lanOnly4, kernel6);
    expect(routes).toEqual([]);
    expect(chooseHostAddress(routes, eth0)).toEqual({
      error: `apiserver exited: unable to find suitable network address.error='no default routes found in "/proc/net/route" or "/proc/net/ipv6_route"'. Try to set the AdvertiseAddress directly or provide a valid BindAddress to fix this`,
    });
  });

  it('with a default route through the LAN it takes the address of that interface', () => {
    const routes = defaultRoutes(withDefault4, kernel6);
    expect(routes).toEqual([{ iface: 'eth0', family: 4 }]);
    expect(chooseHostAddress(routes, eth0)).toEqual({ ip: '10.0.0.70' });
  });

  it('a default route on an interface without an address is found, but gives no address', () => {
    const routes = defaultRoutes(blackhole4, '');
    expect(routes).toEqual([{ iface: '*', family: 4 }]);
    expect(chooseHostAddress(routes, eth0)).toEqual({ error: expect.stringContaining("error='unable to select an IP from default routes.'") });
  });

  it('a dummy interface with an address and the default route: its address, as k3s would advertise it', () => {
    const routes = defaultRoutes(`${header4}dummy0\t00000000\t00000000\t0001\t0\t0\t999\t00000000\t0\t0\t0\n`, '');
    const dummy = { ...eth0, dummy0: [{ address: '203.0.113.254', netmask: '255.255.255.254', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: false, cidr: '203.0.113.254/31' }] };
    expect(chooseHostAddress(routes, dummy)).toEqual({ ip: '203.0.113.254' });
  });
});
