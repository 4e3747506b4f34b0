import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startHelper, type Helper, type HelperSpec } from '../lab/helper.ts';
import { qemuArgs, type QemuMachine } from './qemuArgs.ts';
import { SerialLog } from './serialLog.ts';

/**
 * The one way the project starts a node's QEMU: the flags come from qemuArgs, the process is a
 * helper (its own process group, a pid file, the parent-death signal), and the spawner says where
 * it runs: a lab's `spawn` puts it in the lab's namespace and teardown; `onThisHost` runs it in
 * this host's namespace, for tests that boot a machine without a lab.
 */
export type QemuSpawner = (spec: Pick<HelperSpec, 'name' | 'cmd' | 'args' | 'outputFile'>) => Helper;

/** One QEMU process = one boot of a node (the machine runs with -no-reboot; a reboot ends the process). */
export interface Boot {
  index: number;
  serial: SerialLog;
  startedAt: number;
  /** Resolves when QEMU exits (guest reboot or poweroff under -no-reboot, or a kill). */
  exited: Promise<BootExit>;
  alive(): boolean;
  /** Ends this boot's QEMU now (SIGTERM, then SIGKILL after graceMs). */
  kill(graceMs?: number): Promise<BootExit>;
  /** Set once QEMU has exited. */
  exit?: BootExit;
}

export interface BootExit {
  code: number | undefined;
  signal: string | undefined;
  seconds: number;
  /** What QEMU printed during this boot (its stdout and stderr share one file across boots). */
  stderr: string;
}

/** Every QEMU still running, so a test or Ctrl-C can end them all. */
const running = new Set<Boot>();

/** Starts one boot of a machine: its console goes to `machine.serialLog`, QEMU's own output is appended to `outputFile`. */
export function startBoot(machine: QemuMachine, index: number, spawn: QemuSpawner, outputFile: string): Boot {
  const args = qemuArgs(machine);
  const startedAt = Date.now();
  const outputFrom = fileBytes(outputFile);
  const helper = spawn({ name: `qemu-${machine.name}-boot${index}`, cmd: 'qemu-system-x86_64', args, outputFile });
  const boot: Boot = {
    index,
    serial: new SerialLog(machine.serialLog),
    startedAt,
    exited: helper.exited.then((e) => {
      const exit: BootExit = { code: e.exitCode, signal: e.signal, seconds: (Date.now() - startedAt) / 1000, stderr: readFrom(outputFile, outputFrom).trim() };
      boot.exit = exit;
      running.delete(boot);
      return exit;
    }),
    alive: () => !boot.exit && helper.alive(),
    async kill(graceMs = 5000) {
      if (!boot.exit) await helper.stop(graceMs);
      return boot.exited;
    },
  };
  running.add(boot);
  return boot;
}

/** Runs QEMU in this host's network namespace, its pid file under `pidDir`/pids. */
export function onThisHost(pidDir: string): QemuSpawner {
  mkdirSync(join(pidDir, 'pids'), { recursive: true });
  return (spec) => startHelper({ ...spec, runDir: pidDir });
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

/** A file's size now, 0 when it does not exist yet. */
export function fileBytes(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** The bytes appended to `file` since `offset`: this boot's share of an output file. */
function readFrom(file: string, offset: number): string {
  const length = fileBytes(file) - offset;
  if (length <= 0) return '';
  const buf = Buffer.alloc(Math.min(length, 64 * 1024));
  const fd = openSync(file, 'r');
  try {
    return buf.subarray(0, readSync(fd, buf, 0, buf.length, offset)).toString();
  } finally {
    closeSync(fd);
  }
}
