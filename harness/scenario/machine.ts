/** What the runner needs from a node's virtual machine: power on (one QEMU process per boot), the power and reset buttons, exits. */
export interface BootStart {
  /** 1 = the first power-on (empty disk: PXE); each later QEMU process is the next boot. */
  boot: number;
  serialLog: string;
  /** The boot's journal stream (the lab OS writes it to a virtio-serial port), when the machine has one. */
  journalLog?: string;
  how: string;
  at: number;
  /** Set when this boot's disk was made from a cached install (--reuse-install): what it came from. */
  reusedInstall?: string;
}

export interface MachineExit {
  boot: number;
  at: number;
  exitCode?: number;
  signal?: string;
  /** A shutdown that ran out of time and ended in a power cut. */
  forced?: boolean;
}

export interface NodeMachine {
  readonly node: string;
  /** How many boots so far. */
  readonly boots: number;
  running(): boolean;
  /** Starts QEMU for the next boot; disk first, then network. */
  powerOn(how: string): Promise<BootStart>;
  /** Power loss: QEMU ends at once, no shutdown in the guest. */
  powerCut(): Promise<MachineExit>;
  /** The reset button: this boot ends at once; powering on again is the next boot. */
  reset(): Promise<MachineExit>;
  /** The power button: a clean shutdown in the guest, a power cut after `timeoutMs`. */
  shutdown(timeoutMs: number): Promise<MachineExit>;
  /**
   * The disk swapped for a new, empty one, as when a failed disk is replaced at the edge: only
   * while the machine is off; its next power-on finds no boot loader and falls through to PXE.
   */
  replaceDisk(): Promise<void>;
  /**
   * Keeps the disk as the PXE stage left it, for later runs (--reuse-install): called once, while
   * off, after the boot that installed ended by the guest's own reboot. Says what was kept, or
   * undefined when this machine keeps nothing.
   */
  keepInstall?(): Promise<string | undefined>;
  /**
   * Bytes the disk's image file holds now, seen from the host: it grows as the guest writes (a
   * sparse qcow2 allocates on write), so it tells how far an install got at any speed.
   */
  diskBytes?(): number;
  /** Settles when the current boot's QEMU process exits (at once when none runs). */
  exited(): Promise<MachineExit>;
  /** Stops the VM for good (end of the run). */
  dispose(): Promise<void>;
}
