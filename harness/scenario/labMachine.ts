import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Helper } from '../lab/helper.ts';
import type { Lab } from '../lab/lab.ts';
import { signal } from '../lab/procs.ts';
import type { Accel } from '../vm/accel.ts';
import { qemuArgs } from '../vm/qemuArgs.ts';
import type { BootStart, MachineExit, NodeMachine } from './machine.ts';
import type { NodeSpec } from './topology.ts';

export interface LabMachineOptions {
  accel: Accel;
  memoryMiB: number;
  /** Where the node's disk, serial logs and QEMU output go (the run's temp dir). */
  dir: string;
  diskSize?: string;
}

/**
 * A node's QEMU machine in the lab: an empty qcow2 disk, the node's MAC on its tap, disk first
 * then network (an empty disk falls through to PXE; an installed one boots itself), serial to a
 * file per boot, `-no-reboot` so each boot is one QEMU process. Runs inside the lab namespace
 * as a lab helper, so teardown and `lab clean` stop it with the lab.
 */
export class LabMachine implements NodeMachine {
  boots = 0;
  #helper: Helper | undefined;
  #exit: Promise<MachineExit> | undefined;
  readonly #disk: string;

  constructor(
    readonly lab: Lab,
    readonly spec: NodeSpec,
    readonly opts: LabMachineOptions,
  ) {
    this.#disk = join(opts.dir, `${spec.name}.qcow2`);
  }

  get node(): string {
    return this.spec.name;
  }

  running(): boolean {
    return this.#helper?.alive() ?? false;
  }

  async powerOn(how: string): Promise<BootStart> {
    if (this.running()) throw new Error(`${this.node} is already running`);
    if (!existsSync(this.#disk)) {
      await execa('qemu-img', ['create', '-q', '-f', 'qcow2', this.#disk, this.opts.diskSize ?? '8G']);
    }
    this.boots += 1;
    const boot = this.boots;
    const serialLog = join(this.opts.dir, `${this.node}.boot${boot}.serial.log`);
    const args = qemuArgs({
      name: this.node,
      accel: this.opts.accel,
      memoryMiB: this.opts.memoryMiB,
      cpus: 1,
      disk: { path: this.#disk, format: 'qcow2' },
      nic: { kind: 'tap', ifname: this.lab.tapOf(this.node), mac: this.spec.mac },
      bootOrder: 'cn',
      serialLog,
      noReboot: true,
    });
    const helper = this.lab.spawn({ name: `qemu-${this.node}-boot${boot}`, cmd: 'qemu-system-x86_64', args, outputFile: join(this.opts.dir, `${this.node}.qemu.out`) });
    this.#helper = helper;
    this.#exit = helper.exited.then((e) => ({ boot, at: Date.now(), ...(e.exitCode !== undefined ? { exitCode: e.exitCode } : {}), ...(e.signal ? { signal: e.signal } : {}) }));
    return { boot, serialLog, how, at: Date.now() };
  }

  async powerCut(): Promise<MachineExit> {
    const h = this.#helper;
    if (!h || !this.#exit) throw new Error(`${this.node} is not running`);
    signal(h.proc, 'SIGKILL');
    return this.#exit;
  }

  exited(): Promise<MachineExit> {
    return this.#exit ?? Promise.resolve({ boot: 0, at: Date.now() });
  }

  async dispose(): Promise<void> {
    await this.#helper?.stop(2000);
  }
}
