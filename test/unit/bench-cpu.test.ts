import { describe, expect, it } from 'vitest';
import { boundOf, coreBudget, type CpuSample, cpuSpans, qemuSecondsOf, underUsed } from '../../scripts/benchCpu.ts';

/**
 * A made-up run on 2 cores, one sample a second: two guests each busy 0.9 of a core for 20 s
 * (the host's other work takes the last 0.2), 10 s of power cut with no QEMU and both cores idle,
 * then two new QEMUs (new pid:starttime keys) busy again for 10 s.
 */
function run(): CpuSample[] {
  const samples: CpuSample[] = [];
  let idle = 0;
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  for (let t = 0; t <= 40; t++) {
    if (t > 0 && t <= 20) (a += 0.9), (b += 0.9);
    else if (t > 20 && t <= 30) idle += 2;
    else if (t > 30) (c += 0.95), (d += 0.95);
    // A new QEMU is first read (t = 31) with what it already used: it is counted from that reading on.
    const qemu: Record<string, number> = t <= 20 ? { '10:5': a, '11:6': b } : t <= 30 ? {} : { '20:900': c, '21:901': d };
    samples.push({ at: 1_000_000 + t * 1000, qemu, hostIdle: idle });
  }
  return samples;
}

describe('bench: where the cores went', () => {
  it('sums each QEMU once, by its last reading, a restarted one as a new process', () => {
    expect(qemuSecondsOf(run())).toBeCloseTo(2 * 18 + 2 * 9.5, 5);
  });

  it('cuts the run into spans of guest, other and idle cores', () => {
    const spans = cpuSpans(run(), 1_000_000, 2);
    // Span 0 holds the differences of seconds 1–9 (second 0 has no earlier reading); the last, second 40 alone.
    expect(spans.map((s) => s.seconds)).toEqual([9, 10, 10, 10, 1]);
    expect(spans[1]).toMatchObject({ fromMs: 10_000, toMs: 20_000 });
    expect(spans[1]!.qemuCores).toBeCloseTo(1.8, 5);
    expect(spans[1]!.otherCores).toBeCloseTo(0.2, 5);
    expect(spans[2]!.idleCores).toBeCloseTo(2 * 0.9, 5); // seconds 21–29 dark; second 20 still busy
    expect(spans[2]!.qemuCores).toBeCloseTo(0.18, 5);
  });

  it('weighs a late reading by the time it covers (a busy host delays the sampler)', () => {
    // One guest busy a whole core; the third reading comes 2 s after the second, not 1.
    const samples: CpuSample[] = [0, 1, 3].map((t) => ({ at: 5_000 + t * 1000, qemu: { '7:1': t }, hostIdle: t }));
    const [span] = cpuSpans(samples, 5_000, 2);
    expect(span!.seconds).toBe(3);
    expect(span!.qemuCores).toBeCloseTo(1, 5);
    expect(span!.idleCores).toBeCloseTo(1, 5);
  });

  it('names the stretches where guests left cores unused by the steps they fall in', () => {
    const spans = cpuSpans(run(), 1_000_000, 2);
    const steps = [
      { name: 'wait for joined', offsetMs: 0, durationMs: 20_500 },
      { name: 'power outage: node-1, node-2 off for 10 s', offsetMs: 20_500, durationMs: 10_000 },
      { name: 'wait for the cluster to recover', offsetMs: 30_500, durationMs: 5_000 },
    ];
    const lines = underUsed(spans, 2, steps);
    // 20–30: one busy second (1.8 cores) and nine dark; 30–40: one dark, one with the new QEMUs
    // only first read (counted as other work: the host's idle did not grow), eight at 1.9 cores.
    expect(lines[0]).toBe('20–40 s: 23 core-s not used by guests (wait for joined; power outage: node-1, node-2 off for 10 s; wait for the cluster to recover; after the steps: evidence, shutdown)');
    expect(lines).toHaveLength(1);
  });

  it('counts as the dark only idle during a fault with no machine on, and bounds wall / floor by it', () => {
    const outage = { fault: true, offsetMs: 20_000, durationMs: 10_500 };
    const b = coreBudget(run(), 1_000_000, 1_040_000, 2, [{ offsetMs: 0, durationMs: 20_000 }, outage]);
    // QEMUs: 20 s at 1.8 cores, then 9 s at 1.9 (second 31 is the new ones' first reading).
    expect(b.qemu).toBeCloseTo(36 + 17.1, 5);
    expect(b.idle).toBeCloseTo(20, 5);
    expect(b.other).toBeCloseTo(20 * 0.2 + 2 + 9 * 0.1, 5);
    // The cut comes at 20 s, but 20→21 began with the old QEMUs read: only 21→30, 9 s, is dark.
    expect(b.scriptedDark).toBeCloseTo(18, 5);
    expect(boundOf(b)).toBeCloseTo((53.1 + 6.9 + 18) / 53.1, 5);
    // No fault step: the same idle is the guests' (or the harness's), not the scenario's.
    expect(coreBudget(run(), 1_000_000, 1_040_000, 2, [{ ...outage, fault: false }]).scriptedDark).toBe(0);
    // A fault that leaves a machine on (one node's cut) writes no dark, however idle the cores.
    const oneOn = run().map((x, t) => (t > 20 && t <= 30 ? { ...x, qemu: { '30:7': 0 } } : x));
    expect(coreBudget(oneOn, 1_000_000, 1_040_000, 2, [outage]).scriptedDark).toBe(0);
    // Only the run's own readings count: from its start to its end.
    expect(coreBudget(run(), 1_000_000, 1_020_000, 2, [outage]).idle).toBe(0);
  });
});
