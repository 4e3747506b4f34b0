import { describe, expect, it } from 'vitest';
import { formatProblems, preflight, realHost, runTools, type HostFacts } from '../../harness/scenario/preflight.ts';

const healthy: HostFacts = { onPath: () => true, availableMemoryMiB: () => 20_000, freeDiskMiB: () => 50_000, tunUsable: () => true };
const needs = { memoryMiB: 6144, diskMiB: 4096, diskDir: '/var/cache/x', tools: runTools };

describe('preflight', () => {
  it('passes a healthy host', () => {
    expect(preflight(needs, healthy)).toEqual([]);
  });
  it('reports each problem on one line with its fix', () => {
    const sick: HostFacts = { onPath: (t) => t !== 'dnsmasq' && t !== 'qemu-img', availableMemoryMiB: () => 2048, freeDiskMiB: () => 100, tunUsable: () => false };
    const lines = formatProblems(preflight(needs, sick)).split('\n');
    expect(lines).toEqual([
      'preflight: qemu-img not found — fix: apt-get install qemu-utils (or: bash scripts/setup.sh)',
      'preflight: dnsmasq not found — fix: apt-get install dnsmasq-base (or: bash scripts/setup.sh)',
      'preflight: 2048 MiB memory available, the VMs need 6144 MiB — fix: stop other VMs or processes, or run a scenario with fewer nodes',
      'preflight: 100 MiB free in /var/cache/x, the run needs 4096 MiB — fix: free space there, or point LAB_CACHE_DIR / LAB_STATE_DIR at a larger disk',
      'preflight: /dev/net/tun missing or not usable (the lab needs tap devices) — fix: modprobe tun; in a container: run with --device /dev/net/tun --cap-add NET_ADMIN',
    ]);
  });
  it('reads the real host', () => {
    const host = realHost({ PATH: '/usr/bin:/bin' });
    expect(host.onPath('sh')).toBe(true);
    expect(host.onPath('surely-not-a-tool-xyz')).toBe(false);
    expect(host.availableMemoryMiB()).toBeGreaterThan(0);
    expect(host.freeDiskMiB('/nonexistent/deeper/dir')).toBeGreaterThan(0);
  });
});
