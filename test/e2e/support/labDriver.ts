// A harness process for teardown tests: brings a one-node lab up, PXE-boots a VM that stays up,
// prints `ready <run-id>` once the VM's marker is on its console, then either tears down and
// exits (`normal`) or waits to be interrupted (`wait`). Usage: labDriver.ts <fixture-dir> normal|wait
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Lab } from '../../../harness/lab/lab.ts';
import { qemuArgs } from '../../../harness/vm/qemuArgs.ts';
import { pxeFixture, serialText, topologyOf } from './pxeFixture.ts';

const [mode = 'wait'] = process.argv.slice(2);
const topology = topologyOf(1);
const node = topology.nodes[0]!;
const marker = `DRIVER-MARKER-${process.pid}`;
const fx = await pxeFixture(topology, marker, 'stay');
console.log(`fixture ${fx.dir}`);
const lab = await Lab.up({ topology, tftpRoot: fx.tftpRoot, mirrorMounts: fx.mounts }).catch((err: unknown) => {
  rmSync(fx.dir, { recursive: true, force: true });
  console.log(`failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
const serialLog = join(fx.dir, 'serial.log');
lab.spawn({
  name: `qemu-${node.name}`,
  cmd: 'qemu-system-x86_64',
  args: qemuArgs({
    name: node.name,
    accel: 'tcg',
    memoryMiB: 256,
    cpus: 1,
    nic: { kind: 'tap', ifname: lab.tapOf(node.name), mac: node.mac },
    bootOrder: 'n',
    serialLog,
    noReboot: true,
  }),
  outputFile: join(fx.dir, 'qemu.out'),
});
const deadline = Date.now() + 120_000;
while (!serialText(serialLog).includes(marker)) {
  if (Date.now() > deadline) {
    console.log(`timeout; serial: ${serialText(serialLog).slice(-500)}`);
    await lab.down();
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 200));
}
console.log(`ready ${lab.runId}`);
if (mode === 'normal') {
  await lab.down();
  console.log('down');
  process.exit(0);
}
setInterval(() => {}, 1 << 30);
