import { execa } from 'execa';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from '../paths.ts';

export type Accel = 'kvm' | 'tcg';

export interface AccelChoice {
  accel: Accel;
  /** Why this accelerator was chosen, for the report and the progress line. */
  reason: string;
}

let cached: Promise<AccelChoice> | undefined;

/**
 * /dev/kvm existing is not enough: on these hosts firmware runs under KVM but a Linux guest
 * hangs before its first console line. So the probe boots a real Linux kernel under KVM and
 * calls KVM usable only if the kernel's banner reaches the serial console within a few seconds.
 * LAB_ACCEL=kvm|tcg forces a choice; LAB_PROBE_KERNEL names the kernel to probe with.
 */
export function chooseAccel(env: NodeJS.ProcessEnv = process.env, probeKernel?: string): Promise<AccelChoice> {
  const forced = env.LAB_ACCEL;
  if (forced === 'kvm' || forced === 'tcg') return Promise.resolve({ accel: forced, reason: 'LAB_ACCEL' });
  cached ??= probeKvm(probeKernel ?? env.LAB_PROBE_KERNEL ?? findProbeKernel(env));
  return cached;
}

/** Forget the cached probe (tests). */
export function resetAccelProbe(): void {
  cached = undefined;
}

/** A kernel to probe with: the lab OS's PXE kernel if one was built, else the host's. */
export function findProbeKernel(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const labOs = join(cacheRoot(env), 'lab-os');
  if (existsSync(labOs)) {
    for (const dir of readdirSync(labOs)) {
      const boardDir = join(labOs, dir, 'mirror');
      if (!existsSync(boardDir)) continue;
      for (const board of readdirSync(boardDir)) {
        const k = join(boardDir, board, 'current', 'flatcar_production_pxe.vmlinuz');
        if (existsSync(k)) return k;
      }
    }
  }
  if (existsSync('/boot')) {
    const host = readdirSync('/boot').filter((f) => f.startsWith('vmlinuz-')).sort().pop();
    if (host) return join('/boot', host);
  }
  return undefined;
}

export const kvmProbeTimeoutMs = 6000;

export async function probeKvm(kernel: string | undefined, timeoutMs = kvmProbeTimeoutMs): Promise<AccelChoice> {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
  } catch {
    return { accel: 'tcg', reason: '/dev/kvm not usable: using TCG' };
  }
  if (!kernel) return { accel: 'tcg', reason: 'no Linux kernel to probe KVM with (build the lab OS first): using TCG' };
  const child = execa(
    'qemu-system-x86_64',
    ['-accel', 'kvm', '-machine', 'q35', '-m', '256', '-nodefaults', '-no-user-config', '-display', 'none',
      '-serial', 'stdio', '-kernel', kernel, '-append', 'console=ttyS0 panic=-1', '-no-reboot'],
    { reject: false, stdin: 'ignore', buffer: false },
  );
  const sawBanner = new Promise<boolean>((resolve) => {
    let seen = '';
    child.stdout?.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.includes('Linux version')) resolve(true);
    });
    void child.then(() => resolve(seen.includes('Linux version')));
    setTimeout(() => resolve(false), timeoutMs);
  });
  const ok = await sawBanner;
  child.kill('SIGKILL');
  const result = await child;
  if (ok) return { accel: 'kvm', reason: 'KVM probe: a Linux kernel printed its banner under KVM' };
  if (result.exitCode !== undefined && result.exitCode !== 0 && !result.isTerminated) {
    return { accel: 'tcg', reason: `KVM probe failed to start QEMU (exit ${result.exitCode}): using TCG` };
  }
  return { accel: 'tcg', reason: `KVM probe: a Linux kernel printed nothing within ${timeoutMs / 1000} s under KVM (guests hang here): using TCG` };
}
