import { describe, expect, it } from 'vitest';
import { availabilityOf, formatAvailability, freshlyReady, type ApiSample } from '../../harness/scenario/availability.ts';
import { dhcpSilenceScript, partitionScript } from '../../harness/lab/netFaults.ts';

const t0 = 1_000_000;
const up = (s: number, hb?: number): ApiSample => ({ at: t0 + s * 1000, ok: true, nodes: [{ name: 'node-1', ready: true, ...(hb !== undefined ? { heartbeat: new Date(t0 + hb * 1000).toISOString() } : {}) }] });
const down = (s: number): ApiSample => ({ at: t0 + s * 1000, ok: false, nodes: [] });

describe('API availability', () => {
  it('counts from the first answer: outages run from the first failure to the next answer', () => {
    const a = availabilityOf([down(0), up(10), up(11), down(12), down(13), down(20), up(42), up(43), down(50)], t0)!;
    expect(a.fromMs).toBe(10_000);
    expect(a.outages).toEqual([{ startMs: 12_000, endMs: 42_000 }, { startMs: 50_000, endMs: 50_000 }]);
    expect(a.longestOutageMs).toBe(30_000);
    expect(a.answeredMs + a.unansweredMs).toBe(40_000);
    expect(formatAvailability(a)).toBe('answered 10 s of 40 s (25.0 %), longest outage 30 s, 2 outages');
    expect(availabilityOf([down(0), down(1)], t0)).toBeUndefined();
  });

  it('after a power loss a node counts as Ready only with a heartbeat newer than before the fault', () => {
    const samples = [up(0, 0), up(5, 5), down(10), up(40, 5), up(60, 58)];
    const ready = freshlyReady(samples, t0 + 10_000);
    expect(ready(samples[3]!)).toEqual([]);
    expect(ready(samples[4]!)).toEqual(['node-1']);
  });

  it('a renewal between the last sample and the cut, kept alive by etcd through the outage, is not fresh', () => {
    // Sampled at 8 s (heartbeat 5 s); renewed at 9.5 s; cut at 10 s, power back at 20 s. Once etcd has
    // quorum again the API lists node-1 Ready from the 9.5 s renewal, which is newer than any sample.
    const samples = [up(0, 0), up(8, 5), down(12), up(340, 9.5), up(342, 339)];
    expect(freshlyReady(samples, t0 + 10_000)(samples[3]!)).toEqual(['node-1']);
    const ready = freshlyReady(samples, t0 + 10_000, t0 + 20_000);
    expect(ready(samples[3]!)).toEqual([]);
    expect(ready(samples[4]!)).toEqual(['node-1']);
  });
});

describe('network faults as nftables', () => {
  it('a partition drops bridged IPv4 both ways between the two sets', () => {
    const s = partitionScript(['10.0.0.70', '10.0.0.71'], ['10.0.0.72']);
    expect(s).toContain('table bridge fkl_partition');
    expect(s).toContain('ip saddr { 10.0.0.70, 10.0.0.71 } ip daddr { 10.0.0.72 } drop');
    expect(s).toContain('ip saddr { 10.0.0.72 } ip daddr { 10.0.0.70, 10.0.0.71 } drop');
    expect(() => partitionScript([], ['10.0.0.72'])).toThrow(/a node on each side/);
  });

  it('DHCP silence drops only that MAC\'s requests to the server', () => {
    expect(dhcpSilenceScript('52:54:00:00:00:46')).toMatch(/table bridge fkl_dhcp_525400000046 \{[\s\S]*hook input[\s\S]*ether saddr 52:54:00:00:00:46 udp dport 67 drop/);
  });
});
