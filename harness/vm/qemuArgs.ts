import type { Accel } from './accel.ts';

/** Everything that varies between the lab's QEMU machines; the rest is fixed lab policy. */
export interface QemuMachine {
  name: string;
  accel: Accel;
  memoryMiB: number;
  cpus: number;
  /** qcow2/raw disk attached on virtio-scsi so the guest sees /dev/sda, as the seed's installer expects. */
  disk?: { path: string; format: 'qcow2' | 'raw' };
  /** One NIC: a lab tap (inside the lab netns) or QEMU user networking (tests without a lab). */
  nic: { kind: 'tap'; ifname: string; mac: string } | { kind: 'user'; mac: string; userNetOptions?: string };
  /** `n` network, `c` disk. Disk first, then network: an empty disk falls through to PXE. */
  bootOrder: string;
  /** Direct kernel boot (tests that skip PXE). */
  direct?: { kernel: string; initrd: string; append: string };
  serialLog: string;
  /** A virtio-serial port named lab.journal, where the lab OS streams its journal (lab-journal-serial.service). */
  journalLog?: string;
  qmpSocket?: string;
  /** Exit instead of rebooting, so each boot is one QEMU process and a clear phase boundary. */
  noReboot: boolean;
}

export function qemuArgs(m: QemuMachine): string[] {
  const args = [
    '-name', `${m.name},debug-threads=on`,
    '-accel', m.accel,
    '-machine', 'q35',
    '-m', String(m.memoryMiB),
    '-smp', String(m.cpus),
    '-nodefaults', '-no-user-config',
    '-display', 'none',
    '-serial', `file:${m.serialLog}`,
    // Early boot waits on entropy without it.
    '-device', 'virtio-rng-pci',
    // SeaBIOS never retries a failed network boot on its own; reboot-timeout turns "no bootable
    // device" into a reset, which -no-reboot makes an exit the boot loop can relaunch.
    '-boot', `order=${m.bootOrder},strict=off,reboot-timeout=5000`,
  ];
  if (m.disk) {
    args.push(
      '-device', 'virtio-scsi-pci,id=scsi0',
      '-drive', `file=${m.disk.path},format=${m.disk.format},if=none,id=disk0,cache=unsafe,discard=unmap`,
      '-device', 'scsi-hd,drive=disk0,bus=scsi0.0,bootindex=1',
    );
  }
  if (m.journalLog) {
    args.push('-device', 'virtio-serial-pci,id=vser0', '-chardev', `file,id=journal,path=${m.journalLog}`, '-device', 'virtserialport,bus=vser0.0,chardev=journal,name=lab.journal');
  }
  if (m.nic.kind === 'tap') {
    args.push('-netdev', `tap,id=net0,ifname=${m.nic.ifname},script=no,downscript=no`);
  } else {
    const extra = m.nic.userNetOptions ? `,${m.nic.userNetOptions}` : '';
    args.push('-netdev', `user,id=net0,restrict=on${extra}`);
  }
  args.push('-device', `virtio-net-pci,netdev=net0,mac=${m.nic.mac},bootindex=2`);
  if (m.direct) args.push('-kernel', m.direct.kernel, '-initrd', m.direct.initrd, '-append', m.direct.append);
  if (m.qmpSocket) args.push('-qmp', `unix:${m.qmpSocket},server=on,wait=off`);
  if (m.noReboot) args.push('-no-reboot');
  return args;
}
