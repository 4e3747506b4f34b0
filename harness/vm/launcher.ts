import { execa, type ResultPromise } from 'execa';
import { dieWithParent } from '../lab/parentDeath.ts';
import { qemuArgs, type QemuMachine } from './qemuArgs.ts';
import { SerialLog } from './serialLog.ts';

/** One QEMU process = one boot of a node (the machine runs with -no-reboot; a reboot ends the process). */
export interface Boot {
  index: number;
  serial: SerialLog;
  startedAt: number;
  /** Resolves when QEMU exits (guest reboot or poweroff under -no-reboot, or a kill). */
  exited: Promise<BootExit>;
  /** Ends this boot's QEMU now (SIGTERM, then SIGKILL after a grace period). */
  kill(): Promise<BootExit>;
  /** Set once QEMU has exited. */
  exit?: BootExit;
}

export interface BootExit {
  code: number | undefined;
  signal: string | undefined;
  seconds: number;
  stderr: string;
}

/** Every QEMU still running, so a test or Ctrl-C can end them all. */
const running = new Set<Boot>();

/**
 * Starts one boot of a machine. `serialLogFor(index)` gives each boot its own console log, so
 * each boot is a clear phase boundary. The caller decides whether to start the next boot.
 */
export function startBoot(machine: Omit<QemuMachine, 'serialLog'>, index: number, serialLog: string): Boot {
  const args = qemuArgs({ ...machine, serialLog });
  const startedAt = Date.now();
  const child: ResultPromise = execa(...dieWithParent('qemu-system-x86_64', args), { reject: false, stdin: 'ignore', all: true, cleanup: true });
  const boot: Boot = {
    index,
    serial: new SerialLog(serialLog),
    startedAt,
    exited: child.then((r) => {
      const exit: BootExit = {
        code: r.exitCode,
        signal: r.signal,
        seconds: (Date.now() - startedAt) / 1000,
        stderr: String(r.all ?? '').trim(),
      };
      boot.exit = exit;
      running.delete(boot);
      return exit;
    }),
    async kill() {
      if (!boot.exit) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await boot.exited;
        clearTimeout(timer);
      }
      return boot.exited;
    },
  };
  running.add(boot);
  return boot;
}

/** Ends every QEMU this process started (test teardown, signal handlers). */
export async function killAllBoots(): Promise<void> {
  await Promise.all([...running].map((b) => b.kill()));
}

/** Waits for the boot's QEMU to exit, failing with the console tail if it takes longer than timeoutMs. */
export async function waitForExit(boot: Boot, timeoutMs: number, what: string): Promise<BootExit> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}; last console lines:\n${boot.serial.tail()}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([boot.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A reason string when the boot's QEMU is gone, for waits that should stop early. */
export function exitedReason(boot: Boot): string | undefined {
  if (!boot.exit) return undefined;
  const e = boot.exit;
  return `QEMU exited (${e.signal ? `signal ${e.signal}` : `code ${e.code}`})${e.stderr ? `: ${e.stderr.split('\n')[0]}` : ''}`;
}
