import type { Accel } from '../vm/accel.ts';

/**
 * One number every wait's timeout is multiplied by. Base timeouts are written for one VM under
 * TCG on a 2-core machine (the slow case we measured). KVM is several times faster; each VM
 * beyond the host's cores slows every VM (three VMs on two cores: each ~1.5x slower).
 * `--timeout-scale` replaces the computed value.
 */
export function timeoutScale(opts: { accel: Accel; concurrentVms: number; hostCpus: number; override?: number }): number {
  if (opts.override !== undefined) return opts.override;
  const accel = opts.accel === 'kvm' ? 0.5 : 1;
  const load = Math.max(1, opts.concurrentVms / Math.max(1, opts.hostCpus));
  return round(accel * (1 + (load - 1) * 1.25));
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Parses `--timeout-scale`: a positive number. */
export function parseTimeoutScale(text: string): number | undefined {
  const n = Number(text);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}
