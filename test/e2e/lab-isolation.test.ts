import { execa } from 'execa';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Lab } from '../../harness/lab/lab.ts';
import { bootPxeNode, waitForConsole } from './support/bootNode.ts';
import { pxeFixture, topologyOf, type PxeFixture } from './support/pxeFixture.ts';

const topology = topologyOf(1);
const node = topology.nodes[0]!;
let lab: Lab | undefined;
let fx: PxeFixture | undefined;

afterAll(async () => {
  await lab?.down();
  if (fx) rmSync(fx.dir, { recursive: true, force: true });
});

const inLab = (cmd: string, args: string[]) => execa('ip', ['netns', 'exec', lab!.netns, cmd, ...args], { reject: false });

/** Counts DHCP packets seen by tcpdump on every interface of the namespace it runs in. */
function captureDhcp(netns?: string) {
  const argv = ['tcpdump', '-i', 'any', '-n', '-l', '-p', 'udp and (port 67 or port 68)'];
  const p = netns ? execa('ip', ['netns', 'exec', netns, ...argv], { reject: false }) : execa(argv[0]!, argv.slice(1), { reject: false });
  return {
    async stop(): Promise<number> {
      await new Promise((r) => setTimeout(r, 500));
      p.kill('SIGINT');
      const r = await p;
      const m = /(\d+) packets? captured/.exec(String(r.stderr));
      if (!m) throw new Error(`tcpdump said: ${String(r.stderr)}`);
      return Number(m[1]);
    },
  };
}

async function hostAddresses(): Promise<string[]> {
  const out = (await execa('ip', ['-4', '-o', 'addr', 'show'])).stdout;
  return [...out.matchAll(/inet (\d+\.\d+\.\d+\.\d+)\//g)].map((m) => m[1]!).filter((a) => !a.startsWith('127.'));
}

describe('lab isolation', () => {
  it('has no way out: only lo, the bridge and taps; only the lab subnet is routed', async () => {
    fx = await pxeFixture(topology, `ISOLATION-${process.pid}`);
    lab = await Lab.up({ topology, tftpRoot: fx.tftpRoot, mirrorMounts: fx.mounts, logDir: join(fx.dir, 'logs') });

    const links = (await inLab('ip', ['-d', '-o', 'link', 'show'])).stdout.split('\n');
    const names = links.map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1]);
    expect(names.sort()).toEqual(['lo', lab.names.bridge, lab.tapOf(node.name)].sort());
    expect(links.join('\n')).not.toMatch(/\b(veth|macvlan|ipvlan|vxlan|gre|wireguard)\b/);

    const routes4 = (await inLab('ip', ['-4', 'route', 'show', 'table', 'all'])).stdout;
    expect(routes4).not.toMatch(/^default/m);
    expect(routes4.split('\n').filter((l) => l && !l.startsWith('local ') && !l.startsWith('broadcast ')).map((l) => l.split(' ')[0])).toEqual(['10.0.0.0/24']);
    const routes6 = (await inLab('ip', ['-6', 'route', 'show'])).stdout;
    expect(routes6).not.toMatch(/^default/m);

    // `ip route get` answers from the routing table without sending anything.
    for (const addr of [...(await hostAddresses()), '1.1.1.1', '192.0.2.1']) {
      const r = await inLab('ip', ['route', 'get', addr]);
      expect(r.exitCode, `${addr} is routable from inside the lab: ${r.stdout}`).not.toBe(0);
      expect(r.stderr).toMatch(/unreachable/i);
      const c = await inLab('curl', ['-sS', '--max-time', '2', `http://${addr}:80/`]);
      expect(c.exitCode).not.toBe(0);
    }
    // Nodes get the lab server as their router: whatever they send outside the lab is dropped,
    // twice over: the namespace forwards nothing, and the egress table drops what is not for the lab.
    expect((await inLab('sysctl', ['-n', 'net.ipv4.ip_forward'])).stdout.trim()).toBe('0');
    const egress = (await inLab('nft', ['list', 'table', 'inet', 'fkl_egress'])).stdout;
    expect(egress).toMatch(/hook forward/);
    expect(egress).toMatch(/ip daddr != \{ 10\.0\.0\.0\/24, 224\.0\.0\.0\/4, 255\.255\.255\.255 \} counter packets \d+ bytes \d+ drop/);
    expect(readFileSync(lab.dnsmasq!.configFile, 'utf8')).toContain('dhcp-option=option:router,10.0.0.5');
    // But the lab's own mirror is reachable from inside.
    const own = await inLab('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', `${lab.mirrorUrl}/nothing-here`]);
    expect(own.stdout).toBe('404');
  });

  it("nothing listens outside the lab namespace, and the lab's DHCP never shows on host interfaces", async () => {
    const l = lab!;
    const pids = [l.dnsmasq!.helper.proc.pid, l.mirror!.helper.proc.pid];
    const hostListeners = (await execa('ss', ['-H', '-lnptu'])).stdout;
    for (const pid of pids) expect(hostListeners).not.toContain(`pid=${pid},`);
    const labListeners = (await inLab('ss', ['-H', '-lnptu'])).stdout;
    for (const pid of pids) expect(labListeners).toContain(`pid=${pid},`);

    const onHost = captureDhcp();
    const inside = captureDhcp(l.netns);
    await new Promise((r) => setTimeout(r, 1000)); // tcpdump needs a moment to attach
    const vm = bootPxeNode(l, node, fx!.dir);
    await waitForConsole(vm.serialLog, fx!.marker, 120_000);
    await vm.qemu.exited;
    const seenInside = await inside.stop();
    const seenOnHost = await onHost.stop();
    // The capture works (it sees the exchange inside the lab) and the host saw none of it.
    expect(seenInside).toBeGreaterThanOrEqual(2);
    expect(seenOnHost).toBe(0);
  });
});
