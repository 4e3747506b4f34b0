import { execa } from 'execa';
import { accessSync, constants } from 'node:fs';

export type Accel = 'kvm' | 'tcg';

export interface AccelChoice {
  accel: Accel;
  /** Why this accelerator was chosen, for the report and the progress line. */
  reason: string;
}

let cached: Promise<AccelChoice> | undefined;

/**
 * /dev/kvm existing is not enough: on some hosts (nested virtualisation) guests hang under KVM.
 * So we boot a guest that runs no code and quits, and call KVM usable only if QEMU
 * gets through it within a few seconds. LAB_ACCEL=kvm|tcg forces a choice.
 */
export function chooseAccel(env: NodeJS.ProcessEnv = process.env): Promise<AccelChoice> {
  const forced = env.LAB_ACCEL;
  if (forced === 'kvm' || forced === 'tcg') return Promise.resolve({ accel: forced, reason: 'LAB_ACCEL' });
  cached ??= probeKvm();
  return cached;
}

async function probeKvm(): Promise<AccelChoice> {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
  } catch {
    return { accel: 'tcg', reason: '/dev/kvm not usable' };
  }
  // A guest with no boot device and no firmware delay: with working KVM it reaches the
  // "no bootable device" loop at once; `-no-reboot` plus a triple fault is not reliable,
  // so we watch for QEMU's monitor answer after `info status` instead.
  const probe = execa(
    'qemu-system-x86_64',
    ['-accel', 'kvm', '-machine', 'q35', '-m', '64', '-nodefaults', '-display', 'none', '-S', '-monitor', 'stdio', '-no-user-config'],
    { input: 'cont\ninfo registers\nquit\n', timeout: 8000, reject: false },
  );
  const result = await probe;
  if (result.timedOut) return { accel: 'tcg', reason: 'KVM probe hung (guests would hang): using TCG' };
  if (result.exitCode !== 0) return { accel: 'tcg', reason: `KVM probe failed: ${result.stderr.split('\n')[0] ?? ''}` };
  return { accel: 'kvm', reason: 'KVM probe booted' };
}
