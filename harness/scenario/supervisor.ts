import type { NodeConsole } from '../guest/console.ts';
import type { NodeJournal } from '../guest/nodeJournal.ts';
import { terminating } from '../lab/signals.ts';
import type { BootStart, MachineExit, NodeMachine } from './machine.ts';
import type { ObservationLog } from './observations.ts';
import type { PhaseTracker } from './phaseTracker.ts';

/**
 * Wraps a node's machine so every boot is observed: the console follows the boot's serial log,
 * the start and exit are recorded, and a QEMU that exits on its own (the guest rebooted; QEMU
 * runs with -no-reboot so each boot is one process) is started again for the next boot — unless
 * the harness holds the power off (power cut) or the run is over.
 */
export class SupervisedMachine implements NodeMachine {
  readonly #inner: NodeMachine;
  readonly #console: NodeConsole;
  readonly #log: ObservationLog;
  readonly #tracker: PhaseTracker;
  #held = false;
  #disposed = false;
  /** How the next boot is described when the harness itself ended this one (a reset). */
  #nextHow: string | undefined;
  readonly bootLogs: { boot: number; serialLog: string; how: string; at: number; fromDisk: boolean }[] = [];
  #onRestartError: (err: unknown) => void;

  readonly #journal: NodeJournal | undefined;
  /** The inner machine's, when it can tell (a lab machine can; a test's fake may not). */
  readonly diskBytes?: () => number;

  constructor(inner: NodeMachine, console: NodeConsole, log: ObservationLog, tracker: PhaseTracker, onRestartError: (err: unknown) => void, journal?: NodeJournal) {
    this.#inner = inner;
    this.#journal = journal;
    this.#console = console;
    this.#log = log;
    this.#tracker = tracker;
    this.#onRestartError = onRestartError;
    if (inner.diskBytes) this.diskBytes = () => inner.diskBytes!();
  }

  get node(): string {
    return this.#inner.node;
  }

  get boots(): number {
    return this.#inner.boots;
  }

  running(): boolean {
    return this.#inner.running();
  }

  /** True when that boot started from the installed disk (after the installer ran). */
  isDiskBoot(boot: number): boolean {
    return this.bootLogs.some((b) => b.boot === boot && b.fromDisk);
  }

  hold(held: boolean): void {
    this.#held = held;
  }

  async powerOn(how: string): Promise<BootStart> {
    // Read the previous boot's console to its end first: its last lines may prove `installing`.
    await Promise.all([this.#console.poll(), this.#journal?.poll()]);
    const start = await this.#inner.powerOn(how);
    if (start.reusedInstall) {
      this.#log.add({ at: start.at, node: this.node, source: 'vm', kind: 'install-reused', detail: `PXE stage reused (--reuse-install): ${start.reusedInstall}`, boot: start.boot, phase: 'installing' });
    }
    const fromDisk = (start.boot >= 2 || start.reusedInstall !== undefined) && this.#tracker.reached(this.node, 'installing');
    // What the first power-on meets: an empty disk (the firmware falls through to PXE) or a cached install.
    if (start.boot === 1) how = `${how} (${start.reusedInstall ? 'a cached install: boots from disk' : 'empty disk: PXE'})`;
    this.bootLogs.push({ ...start, how, fromDisk });
    await this.#console.follow(start.serialLog, start.boot);
    if (start.journalLog) await this.#journal?.follow(start.journalLog, start.boot);
    this.#log.add({
      at: start.at,
      node: this.node,
      source: 'vm',
      kind: 'vm-start',
      detail: `boot ${start.boot}: ${how}`,
      boot: start.boot,
      ...(fromDisk ? { phase: 'rebooted' as const } : {}),
    });
    void this.#inner.exited().then((exit) => this.#afterExit(exit));
    return start;
  }

  async #afterExit(exit: MachineExit): Promise<void> {
    const how = exit.signal ? `killed by ${exit.signal}` : `exit ${exit.exitCode ?? '?'}`;
    this.#log.add({ at: exit.at, node: this.node, source: 'vm', kind: 'vm-exit', detail: `boot ${exit.boot} ended (QEMU ${how})`, boot: exit.boot });
    const byGuest = this.#nextHow === undefined;
    const nextHow = this.#nextHow ?? 'the guest rebooted';
    this.#nextHow = undefined;
    // During a signal's teardown the lab is killing its QEMUs: those exits are not reboots.
    if (this.#held || this.#disposed || this.#console.failure || terminating()) return;
    try {
      // The installer's own reboot ends the PXE stage: the disk is as flatcar-install left it.
      if (byGuest && !this.isDiskBoot(exit.boot) && this.#inner.keepInstall) {
        // The boot's last console lines may be what proves `installing`.
        await Promise.all([this.#console.poll(), this.#journal?.poll()]);
        if (this.#tracker.reached(this.node, 'installing')) await this.#keepInstall(exit.boot);
      }
      await this.powerOn(nextHow);
    } catch (err) {
      this.#onRestartError(err);
    }
  }

  async #keepInstall(boot: number): Promise<void> {
    const t0 = Date.now();
    // A disk that could not be kept costs the next run its reuse, not this run its result.
    try {
      const kept = await this.#inner.keepInstall?.();
      if (kept) this.#log.add({ at: t0, node: this.node, source: 'vm', kind: 'install-kept', detail: `the disk as boot ${boot}'s install left it: ${kept} (${((Date.now() - t0) / 1000).toFixed(1)} s)`, boot });
    } catch (err) {
      this.#log.add({ at: t0, node: this.node, source: 'vm', kind: 'install-not-kept', detail: `the disk as boot ${boot}'s install left it was not kept: ${err instanceof Error ? err.message : String(err)}`, boot });
    }
  }

  /** The reset button: ends the running boot at once and starts the next one, described as `how`. */
  reset(how = 'reset'): Promise<MachineExit> {
    this.#nextHow = how;
    return this.#inner.reset();
  }

  /** Power loss; the machine stays off until the harness lets go of the power (hold(false)) and powers it on. */
  powerCut(): Promise<MachineExit> {
    this.#held = true;
    return this.#inner.powerCut();
  }

  /** The power button; the machine stays off as after a power cut. */
  shutdown(timeoutMs: number): Promise<MachineExit> {
    this.#held = true;
    return this.#inner.shutdown(timeoutMs);
  }

  /** Only while held off: the new disk is what the next power-on boots (PXE). */
  async replaceDisk(): Promise<void> {
    if (!this.#held) throw new Error(`${this.node}: power it off (and keep it off) before replacing its disk`);
    await this.#inner.replaceDisk();
    this.#log.add({ at: Date.now(), node: this.node, source: 'step', kind: 'disk-replaced', detail: `${this.node}'s disk replaced by a new, empty one` });
  }

  exited(): Promise<MachineExit> {
    return this.#inner.exited();
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
    await this.#inner.dispose();
    await this.#console.stop();
    await this.#journal?.stop();
  }
}
