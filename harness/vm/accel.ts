import { execa } from 'execa';
import { accessSync, constants, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { ownedTempDir } from '../lab/tempDirs.ts';
import { recalledAccel, rememberAccel } from './accelMemo.ts';
import { join } from 'node:path';
import { kvmProbeBootSector, loopChunkIterations, loopChunks, probeDiskBytes, probeMarker } from './kvmProbeImage.ts';

export type Accel = 'kvm' | 'tcg';

export interface AccelChoice {
  accel: Accel;
  /** Why this accelerator was chosen, for the report and the progress line. */
  reason: string;
}

let cached: Promise<AccelChoice> | undefined;

/**
 * /dev/kvm existing is not enough: on these hosts firmware runs under KVM but guest code then
 * crawls, so a Linux guest seems to hang before its first console line. The default probe boots
 * a hand-made boot sector (kvmProbeImage.ts) under KVM that must reach long mode and finish a CPU
 * loop within a few seconds; it needs nothing but QEMU, so a fresh host gets KVM on its first run.
 * LAB_ACCEL=kvm|tcg forces a choice; LAB_PROBE_KERNEL probes with that Linux kernel instead.
 */
export function chooseAccel(env: NodeJS.ProcessEnv = process.env, probeKernel?: string): Promise<AccelChoice> {
  const forced = env.LAB_ACCEL;
  if (forced === 'kvm' || forced === 'tcg') return Promise.resolve({ accel: forced, reason: 'LAB_ACCEL' });
  const kernel = probeKernel ?? env.LAB_PROBE_KERNEL;
  cached ??= kernel ? probeKvm(kernel) : probeOncePerHostBoot();
  return cached;
}

/** The boot-sector probe, measured once per host boot and QEMU binary (accelMemo.ts). */
async function probeOncePerHostBoot(): Promise<AccelChoice> {
  const qemu = await qemuPath();
  const recalled = qemu ? recalledAccel(qemu) : undefined;
  if (recalled) return { accel: recalled.accel, reason: `${recalled.reason} (probed at ${recalled.measuredAt}, this host boot)` };
  const choice = await probeKvmBootSector();
  if (qemu) rememberAccel(qemu, choice);
  return choice;
}

async function qemuPath(): Promise<string | undefined> {
  const r = await execa('sh', ['-c', 'command -v qemu-system-x86_64'], { reject: false });
  return r.exitCode === 0 ? r.stdout.trim() : undefined;
}

/** Forget the cached probe (tests). */
export function resetAccelProbe(): void {
  cached = undefined;
}

export const kvmProbeTimeoutMs = 6000;
/** Loop iterations per second below which KVM is not worth it: TCG does ~400 M/s on a 2-core CI host, working KVM over 1 G/s. */
export const minKvmLoopRate = 50e6;

function kvmDeviceProblem(): string | undefined {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return undefined;
  } catch {
    return '/dev/kvm not usable: using TCG';
  }
}

export async function probeKvmBootSector(timeoutMs = kvmProbeTimeoutMs): Promise<AccelChoice> {
  const problem = kvmDeviceProblem();
  if (problem) return { accel: 'tcg', reason: problem };
  return judgeKvmRun(await runBootSector('kvm', { timeoutMs }), timeoutMs);
}

/** What one boot of the probe image showed; times are ms after QEMU was started. */
export interface BootSectorRun {
  serial: string;
  atBootSector?: number;
  atLongMode?: number;
  atMarker?: number;
  /** Loop chunks (millions of iterations) finished. */
  chunks: number;
  timedOut: boolean;
  exitCode?: number;
  /** QEMU's stderr, or why it could not be run at all. */
  stderr: string;
  /** Where the image was written (already removed when this returns). */
  imagePath: string;
}

/** Boot the probe image (or another, for tests) under `accel`; QEMU is SIGKILLed and the image removed on every path. */
export async function runBootSector(accel: Accel, opts: { timeoutMs?: number; image?: Uint8Array } = {}): Promise<BootSectorRun> {
  const timeoutMs = opts.timeoutMs ?? kvmProbeTimeoutMs;
  const dir = ownedTempDir('kvm-probe');
  const imagePath = join(dir, 'probe.img');
  const run: BootSectorRun = { serial: '', chunks: 0, timedOut: false, stderr: '', imagePath };
  try {
    writeFileSync(imagePath, opts.image ?? kvmProbeBootSector());
    truncateSync(imagePath, probeDiskBytes);
    const started = performance.now();
    const child = execa(
      'qemu-system-x86_64',
      ['-accel', accel, '-machine', 'q35', '-m', '32', '-nodefaults', '-no-user-config', '-display', 'none', '-serial', 'stdio',
        '-drive', `file=${imagePath},format=raw,if=ide`, '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04', '-no-reboot'],
      { reject: false, stdin: 'ignore', buffer: false },
    );
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve) => {
        child.stdout?.on('data', (d: Buffer) => {
          const now = performance.now() - started;
          run.serial += d.toString('latin1');
          if (run.serial.includes('R')) run.atBootSector ??= now;
          if (run.serial.includes('L')) run.atLongMode ??= now;
          if (run.serial.includes(probeMarker)) run.atMarker ??= now;
          // The marker's line is whole only with its newline, which can arrive in a later chunk
          // than the marker: stopping QEMU at the marker alone cut it off (CI, stop 22).
          if (run.serial.includes(`${probeMarker}\n`)) resolve();
        });
        child.stderr?.on('data', (d: Buffer) => (run.stderr += d.toString()));
        void child.then(() => resolve());
        timer = setTimeout(() => {
          run.timedOut = true;
          resolve();
        }, timeoutMs);
      });
    } finally {
      clearTimeout(timer);
      child.kill('SIGKILL');
      const result = await child;
      run.exitCode = result.isTerminated ? undefined : result.exitCode;
      if (result.exitCode === undefined && !result.isTerminated) run.stderr ||= result.shortMessage ?? 'QEMU could not be run';
    }
    const afterLong = run.serial.slice(run.serial.indexOf('L') + 1);
    run.chunks = run.atLongMode === undefined ? 0 : (afterLong.match(/\./g) ?? []).length;
    return run;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Turn a KVM boot of the probe image into a choice whose reason says what happened. */
export function judgeKvmRun(run: BootSectorRun, timeoutMs = kvmProbeTimeoutMs): AccelChoice {
  const total = loopChunks * loopChunkIterations;
  if (run.atMarker !== undefined && run.atLongMode !== undefined) {
    const loopMs = Math.max(run.atMarker - run.atLongMode, 1);
    const rate = total / (loopMs / 1000);
    const measured = `${total / 1e6} M loop iterations took ${loopMs.toFixed(0)} ms in long mode (${(rate / 1e6).toFixed(0)} M/s)`;
    if (rate < minKvmLoopRate) return { accel: 'tcg', reason: `KVM probe: ${measured}, slower than TCG would be: using TCG` };
    return { accel: 'kvm', reason: `KVM probe: a boot sector reached long mode and printed its marker after ${secs(run.atMarker)}; ${measured}: using KVM` };
  }
  const firstLine = run.stderr.split('\n').find((l) => l.trim() && !/warning:/.test(l)) ?? '';
  if (run.atBootSector === undefined && !run.timedOut && run.exitCode !== 0) {
    return { accel: 'tcg', reason: `KVM probe: QEMU failed under KVM (${run.exitCode === undefined ? 'not started' : `exit ${run.exitCode}`}${firstLine ? `: ${firstLine.trim()}` : ''}): using TCG` };
  }
  const ending = run.timedOut ? `within ${secs(timeoutMs)}` : `(QEMU exited${run.exitCode === undefined ? '' : ` with ${run.exitCode}`} first)`;
  return { accel: 'tcg', reason: `KVM probe: no marker ${ending}: ${howFar(run)}: using TCG` };
}

function howFar(run: BootSectorRun): string {
  if (run.atLongMode === undefined) {
    return run.atBootSector === undefined ? 'the firmware never ran the boot sector' : `the boot sector started after ${secs(run.atBootSector)} but never reached long mode`;
  }
  if (run.chunks >= loopChunks) return 'the boot sector finished its CPU loop but printed no marker';
  return `the boot sector reached long mode after ${secs(run.atLongMode)} but ran only ${run.chunks} M of ${(loopChunks * loopChunkIterations) / 1e6} M loop iterations (guest code crawls under KVM here)`;
}

/** The older probe, kept for LAB_PROBE_KERNEL: KVM is usable if that kernel's banner reaches the serial console in time. */
export async function probeKvm(kernel: string | undefined, timeoutMs = kvmProbeTimeoutMs): Promise<AccelChoice> {
  const problem = kvmDeviceProblem();
  if (problem) return { accel: 'tcg', reason: problem };
  if (!kernel) return { accel: 'tcg', reason: 'no Linux kernel to probe KVM with: using TCG' };
  const child = execa(
    'qemu-system-x86_64',
    ['-accel', 'kvm', '-machine', 'q35', '-m', '256', '-nodefaults', '-no-user-config', '-display', 'none',
      '-serial', 'stdio', '-kernel', kernel, '-append', 'console=ttyS0 panic=-1', '-no-reboot'],
    { reject: false, stdin: 'ignore', buffer: false },
  );
  let timer: NodeJS.Timeout | undefined;
  const sawBanner = new Promise<boolean>((resolve) => {
    let seen = '';
    child.stdout?.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.includes('Linux version')) resolve(true);
    });
    void child.then(() => resolve(seen.includes('Linux version')));
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const ok = await sawBanner;
  clearTimeout(timer);
  child.kill('SIGKILL');
  const result = await child;
  if (ok) return { accel: 'kvm', reason: `KVM probe: ${kernel} printed its banner under KVM` };
  if (result.exitCode !== undefined && result.exitCode !== 0 && !result.isTerminated) {
    return { accel: 'tcg', reason: `KVM probe failed to start QEMU (exit ${result.exitCode}): using TCG` };
  }
  return { accel: 'tcg', reason: `KVM probe: ${kernel} printed nothing within ${secs(timeoutMs)} under KVM (guests hang here): using TCG` };
}
