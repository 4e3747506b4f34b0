import type { QemuMachine } from './qemuArgs.ts';
import { startBoot, type Boot, type BootExit, type QemuSpawner } from './launcher.ts';

/**
 * A node as a sequence of boots: each boot is one QEMU process (-no-reboot), and when it exits
 * the loop relaunches the same machine with the same disk, unless `next` says stop or changes
 * the machine (a first boot by PXE, later ones from disk; a tap or QMP socket added later).
 */
export interface BootLoopOptions {
  machine: Omit<QemuMachine, 'serialLog'>;
  serialLogFor: (index: number) => string;
  /** Where each boot's QEMU runs (launcher.ts onThisHost, or a lab's spawn). */
  spawn: QemuSpawner;
  /** QEMU's own output, every boot appended. */
  outputFile: string;
  /** Called when a boot exits: return the machine for the next boot, or undefined to stop. */
  next: (exit: BootExit, boot: Boot) => Omit<QemuMachine, 'serialLog'> | undefined;
  onBoot?: (boot: Boot) => void;
  maxBoots?: number;
}

export class BootLoop {
  readonly boots: Boot[] = [];
  private stopped = false;
  readonly done: Promise<Boot[]>;

  constructor(private readonly opts: BootLoopOptions) {
    this.done = this.run();
  }

  get current(): Boot | undefined {
    return this.boots.at(-1);
  }

  /** The index-th boot (1-based) once it has started. */
  async boot(index: number, timeoutMs: number): Promise<Boot> {
    const deadline = Date.now() + timeoutMs;
    while (this.boots.length < index) {
      if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for boot ${index} to start (${this.boots.length} so far)`);
      if (this.finished) throw new Error(`boot ${index} never started: the node stopped after ${this.boots.length} boot(s)`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return this.boots[index - 1]!;
  }

  private finished = false;

  /** Stops relaunching and ends the running boot. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.current?.kill();
    await this.done.catch(() => undefined);
  }

  private async run(): Promise<Boot[]> {
    let machine: Omit<QemuMachine, 'serialLog'> | undefined = this.opts.machine;
    const max = this.opts.maxBoots ?? 10;
    while (machine && !this.stopped && this.boots.length < max) {
      const index = this.boots.length + 1;
      const boot = startBoot({ ...machine, serialLog: this.opts.serialLogFor(index) }, index, this.opts.spawn, this.opts.outputFile);
      this.boots.push(boot);
      this.opts.onBoot?.(boot);
      const exit = await boot.exited;
      machine = this.stopped ? undefined : this.opts.next(exit, boot);
    }
    this.finished = true;
    return this.boots;
  }
}
