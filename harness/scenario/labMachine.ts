import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import type { Lab } from '../lab/lab.ts';
import type { Accel } from '../vm/accel.ts';
import { qmpExecute } from '../vm/qmp.ts';
import { createDisk, diskFromInstall, nodeDiskGiB } from '../vm/disk.ts';
import { fileBytes, startBoot, type Boot } from '../vm/launcher.ts';
import type { BootStart, MachineExit, NodeMachine } from './machine.ts';
import type { NodeSpec } from './topology.ts';

export interface LabMachineOptions {
  accel: Accel;
  memoryMiB: number;
  /** vCPUs (machineSize.ts nodeCpus); one when absent. */
  cpus?: number;
  /** Where the node's disk, serial logs and QEMU output go (the run's temp dir). */
  dir: string;
  /** --reuse-install: what the node starts from, and how its PXE stage's disk is kept. */
  install?: InstallReuse;
}

export interface InstallReuse {
  /** A cached install for the first power-on, and the boot-stage config that goes in its OEM partition. */
  from?: { disk: string; config: string; description: string };
  /** Keeps a copy of the disk as the PXE stage left it; says what was kept. */
  keep?: (disk: string) => Promise<string>;
}

/**
 * A node's QEMU machine in the lab: an empty qcow2 disk (with --reuse-install, an overlay of a
 * cached install), the node's MAC on its tap, disk first then network (an empty disk falls
 * through to PXE; an installed one boots itself), serial to a file per boot, `-no-reboot` so each
 * boot is one QEMU process, and a QMP socket for the power buttons. Runs inside the lab namespace
 * as a lab helper, so teardown and `lab clean` stop it with the lab.
 */
export class LabMachine implements NodeMachine {
  boots = 0;
  #boot: Boot | undefined;
  #exit: Promise<MachineExit> | undefined;
  readonly #disk: string;
  /** The cached install is for the node's first disk only: a replaced disk is new and empty. */
  #reuse: InstallReuse['from'];
  #kept = false;
  /** A filesystem socket, so the harness reaches it from outside the lab's network namespace. */
  readonly #qmp: string;

  constructor(
    readonly lab: Lab,
    readonly spec: NodeSpec,
    readonly opts: LabMachineOptions,
  ) {
    this.#disk = join(opts.dir, `${spec.name}.qcow2`);
    this.#qmp = join(opts.dir, `${spec.name}.qmp`);
    this.#reuse = opts.install?.from;
    // sun_path holds 108 bytes with its NUL; QEMU would refuse to start with a longer one.
    if (Buffer.byteLength(this.#qmp) > 107) throw new UsageError(`the run directory's path is too long for QEMU's control socket (${this.#qmp}): set TMPDIR to a shorter directory`);
  }

  get node(): string {
    return this.spec.name;
  }

  running(): boolean {
    return this.#boot?.alive() ?? false;
  }

  async powerOn(how: string): Promise<BootStart> {
    if (this.running()) throw new Error(`${this.node} is already running`);
    let reusedInstall: string | undefined;
    if (!existsSync(this.#disk)) {
      if (this.#reuse) {
        await diskFromInstall(this.#disk, nodeDiskGiB, this.#reuse.disk, this.#reuse.config);
        reusedInstall = this.#reuse.description;
      } else {
        await createDisk(this.#disk, nodeDiskGiB);
      }
      this.#reuse = undefined;
    }
    this.boots += 1;
    const boot = this.boots;
    const serialLog = join(this.opts.dir, `${this.node}.boot${boot}.serial.log`);
    const journalLog = join(this.opts.dir, `${this.node}.boot${boot}.journal.log`);
    const qemu = startBoot(
      {
        name: this.node,
        accel: this.opts.accel,
        memoryMiB: this.opts.memoryMiB,
        cpus: this.opts.cpus ?? 1,
        disk: { path: this.#disk, format: 'qcow2' },
        nic: { kind: 'tap', ifname: this.lab.tapOf(this.node), mac: this.spec.mac },
        bootOrder: 'cn',
        serialLog,
        journalLog,
        qmpSocket: this.#qmp,
        noReboot: true,
      },
      boot,
      (spec) => this.lab.spawn(spec),
      join(this.opts.dir, `${this.node}.qemu.out`),
    );
    this.#boot = qemu;
    this.#exit = qemu.exited.then((e) => ({ boot, at: Date.now(), ...(e.code !== undefined ? { exitCode: e.code } : {}), ...(e.signal ? { signal: e.signal } : {}) }));
    return { boot, serialLog, journalLog, how, at: Date.now(), ...(reusedInstall ? { reusedInstall } : {}) };
  }

  /**
   * Power loss for the guest: QMP `quit` ends QEMU at once with no shutdown inside, yet QEMU still
   * writes out its own qcow2 metadata, as a real disk keeps what it acknowledged; a SIGKILL could
   * leave the image itself damaged, so it is only the last resort, after QEMU ignored SIGTERM too.
   */
  async powerCut(): Promise<MachineExit> {
    return this.#press('quit');
  }

  /** The reset button: under -no-reboot QEMU exits, and the next power-on is the next boot. */
  async reset(): Promise<MachineExit> {
    return this.#press('system_reset');
  }

  /**
   * The power button (ACPI): the guest shuts down cleanly and QEMU exits. A guest that has not
   * powered off within `timeoutMs` loses power, and the exit says so.
   */
  async shutdown(timeoutMs: number): Promise<MachineExit> {
    const exit = this.#currentExit();
    await qmpExecute(this.#qmp, 'system_powerdown').catch(() => undefined);
    if (await settlesWithin(exit, timeoutMs)) return exit;
    return { ...(await this.powerCut()), forced: true };
  }

  /** The running boot's exit; calling it when nothing runs is the caller's mistake. */
  #currentExit(): Promise<MachineExit> {
    if (!this.#boot || !this.#exit || !this.running()) throw new Error(`${this.node} is not running`);
    return this.#exit;
  }

  async #press(command: 'quit' | 'system_reset'): Promise<MachineExit> {
    const exit = this.#currentExit();
    // QEMU may close the socket before it answers `quit` (the reply races its exit: systemd PR
    // #41836 treats that disconnect as success), so an error here does not mean QEMU is stuck.
    // Killing it then, while it writes out its qcow2 metadata, would damage the disk the next
    // boot reads: a harness fault, not the power cut the scenario asked for. So: wait for the
    // exit either way, then SIGTERM (QEMU closes its disks on it, as on quit), SIGKILL last.
    await qmpExecute(this.#qmp, command).catch(() => undefined);
    if (await settlesWithin(exit, 10_000)) return exit;
    await this.#boot!.kill(10_000);
    return exit;
  }

  async replaceDisk(): Promise<void> {
    if (this.running()) throw new Error(`${this.node} is running: power it off before replacing its disk`);
    // powerOn creates the empty disk, as for the first boot.
    rmSync(this.#disk, { force: true });
    this.#reuse = undefined;
  }

  async keepInstall(): Promise<string | undefined> {
    if (!this.opts.install?.keep || this.#kept) return undefined;
    if (this.running()) throw new Error(`${this.node} is running: its disk is kept only while QEMU is off`);
    this.#kept = true;
    return this.opts.install.keep(this.#disk);
  }

  diskBytes(): number {
    return fileBytes(this.#disk);
  }

  exited(): Promise<MachineExit> {
    return this.#exit ?? Promise.resolve({ boot: 0, at: Date.now() });
  }

  async dispose(): Promise<void> {
    await this.#boot?.kill(2000);
  }
}

function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([p.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), ms).unref())]);
}
