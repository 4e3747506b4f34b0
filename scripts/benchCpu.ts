/**
 * Where a bench run's cores went. Under TCG a busy guest is all CPU, so a run's wall / floor above
 * 1 is made of two things: time the host spent on other work (the harness, the mirror, dnsmasq, the
 * kernel) and time the cores sat idle while guests waited (for a timer, a peer, the scripted dark
 * of a power cut). The bench samples once a second; this turns the samples into both totals and
 * the stretches where the guests left cores unused, named by the scenario's steps.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { StepResult } from '../harness/report/result.ts';

/** One reading: cumulative CPU seconds of each QEMU seen (by pid:starttime), and of the host's idle time. */
export interface CpuSample {
  at: number;
  qemu: Record<string, number>;
  hostIdle: number;
}

const ticks = 100; // USER_HZ: /proc/<pid>/stat and /proc/stat count in it.

/** Reads /proc now. A process that ends between listing and reading is skipped. */
export function readCpuSample(at = Date.now()): CpuSample {
  const qemu: Record<string, number> = {};
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(qemu-system-x86')) continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields after the name: state=0 … utime=11, stime=12, starttime=19.
      qemu[`${pid}:${f[19]}`] = (Number(f[11]) + Number(f[12])) / ticks;
    } catch {
      // The process ended between listing and reading.
    }
  }
  // /proc/stat's first line: cpu user nice system idle iowait …; idle and iowait are unused cores.
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  return { at, qemu, hostIdle: (Number(cpu[4]) + Number(cpu[5])) / ticks };
}

/** QEMU CPU seconds over all samples: each process's last reading (a process starts near 0). */
export function qemuSecondsOf(samples: CpuSample[]): number {
  const last = new Map<string, number>();
  for (const s of samples) for (const [k, v] of Object.entries(s.qemu)) last.set(k, v);
  return [...last.values()].reduce((a, b) => a + b, 0);
}

export interface CpuSpan {
  fromMs: number;
  toMs: number;
  /** Seconds of the span the samples cover (the first and last spans may be partial). */
  seconds: number;
  /** Cores' worth used by QEMUs, by everything else, and left idle, averaged over the span. */
  qemuCores: number;
  otherCores: number;
  idleCores: number;
}

/**
 * What the cores did between two consecutive readings, in core-seconds: a QEMU first seen in `b`
 * counts from that reading; the host's idle is capped at the cores' time, other work is the rest.
 */
function between(a: CpuSample, b: CpuSample, cores: number): { dt: number; qemu: number; idle: number; other: number } {
  const dt = (b.at - a.at) / 1000;
  const qemu = Object.entries(b.qemu).reduce((n, [k, v]) => n + Math.max(0, v - (a.qemu[k] ?? v)), 0);
  const idle = Math.min(cores * dt, Math.max(0, b.hostIdle - a.hostIdle));
  return { dt, qemu, idle, other: Math.max(0, cores * dt - qemu - idle) };
}

/**
 * The run cut into spans of `spanMs` from `startMs`, each with what its cores did, from the
 * differences between consecutive samples (a QEMU first seen in a span counts from its first reading).
 */
export function cpuSpans(samples: CpuSample[], startMs: number, cores: number, spanMs = 10_000): CpuSpan[] {
  const spans: CpuSpan[] = [];
  for (let i = 1; i < samples.length; i++) {
    const b = samples[i]!;
    const { dt, qemu, idle, other } = between(samples[i - 1]!, b, cores);
    if (dt <= 0 || b.at < startMs) continue;
    const index = Math.floor((b.at - startMs) / spanMs);
    const span = (spans[index] ??= { fromMs: index * spanMs, toMs: (index + 1) * spanMs, seconds: 0, qemuCores: 0, otherCores: 0, idleCores: 0 });
    span.seconds += dt;
    span.qemuCores += qemu;
    span.idleCores += idle;
    span.otherCores += other;
  }
  const out = spans.filter(Boolean);
  for (const s of out) {
    s.qemuCores /= s.seconds;
    s.otherCores /= s.seconds;
    s.idleCores /= s.seconds;
  }
  return out;
}

/** A run's core-seconds by use, and the part of the idle the scenario wrote in. */
export interface CoreBudget {
  qemu: number;
  other: number;
  idle: number;
  /** Idle during a fault step while no QEMU ran at all: a power cut's dark, which no guest can fill. */
  scriptedDark: number;
}

/**
 * Totals from `startMs` to `endMs`, counted as cpuSpans counts them (a QEMU from its first reading).
 * A fault that leaves some machine on (a partition, one node's power cut) writes no dark: the
 * guests still running may fill the cores, so their idle there is the guests', not the scenario's.
 */
export function coreBudget(samples: CpuSample[], startMs: number, endMs: number, cores: number, steps: Pick<StepResult, 'fault' | 'offsetMs' | 'durationMs'>[]): CoreBudget {
  const faults = steps.filter((st) => st.fault).map((st) => [startMs + st.offsetMs, startMs + st.offsetMs + st.durationMs] as const);
  const budget: CoreBudget = { qemu: 0, other: 0, idle: 0, scriptedDark: 0 };
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const { dt, qemu, idle, other } = between(a, b, cores);
    if (dt <= 0 || b.at <= startMs || b.at > endMs) continue;
    budget.qemu += qemu;
    budget.idle += idle;
    budget.other += other;
    const noMachine = !Object.keys(a.qemu).length && !Object.keys(b.qemu).length;
    if (noMachine && faults.some(([from, to]) => a.at >= from && b.at <= to)) budget.scriptedDark += idle;
  }
  return budget;
}

/** The least wall / floor the run could have had: its guests leaving no core idle but in the scripted dark. */
export function boundOf(b: CoreBudget): number {
  return b.qemu > 0 ? (b.qemu + b.other + b.scriptedDark) / b.qemu : Number.NaN;
}

/**
 * Stretches of consecutive spans where QEMUs used less than `share` of the cores, each with the
 * steps it overlaps: where a run's wall / floor comes from, other than the host's own work.
 */
export function underUsed(spans: CpuSpan[], cores: number, steps: Pick<StepResult, 'name' | 'offsetMs' | 'durationMs'>[], share = 0.85): string[] {
  const low = spans.filter((s) => s.qemuCores < cores * share);
  const runs: CpuSpan[][] = [];
  for (const s of low) {
    const cur = runs.at(-1);
    if (cur && cur.at(-1)!.toMs === s.fromMs) cur.push(s);
    else runs.push([s]);
  }
  return runs.map((r) => {
    const from = r[0]!.fromMs;
    const to = r.at(-1)!.toMs;
    const unused = r.reduce((n, s) => n + (cores - s.qemuCores) * s.seconds, 0);
    const during = steps.filter((st) => st.offsetMs < to && st.offsetMs + st.durationMs > from).map((st) => st.name);
    if (to > Math.max(0, ...steps.map((st) => st.offsetMs + st.durationMs))) during.push('after the steps: evidence, shutdown');
    return `${from / 1000}–${to / 1000} s: ${unused.toFixed(0)} core-s not used by guests${during.length ? ` (${during.join('; ')})` : ''}`;
  });
}
