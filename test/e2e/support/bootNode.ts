import { join } from 'node:path';
import type { Helper } from '../../../harness/lab/helper.ts';
import type { Lab } from '../../../harness/lab/lab.ts';
import type { NodeSpec } from '../../../harness/scenario/topology.ts';
import { qemuArgs } from '../../../harness/vm/qemuArgs.ts';
import { serialText } from './pxeFixture.ts';

export interface BootedNode {
  qemu: Helper;
  serialLog: string;
}

/** PXE-boots one node of the lab in QEMU (TCG), inside the lab namespace, on its tap. */
export function bootPxeNode(lab: Lab, node: NodeSpec, dir: string, memoryMiB = 384): BootedNode {
  const serialLog = join(dir, `${lab.runId}-${node.name}.serial`);
  const qemu = lab.spawn({
    name: `qemu-${node.name}`,
    cmd: 'qemu-system-x86_64',
    args: qemuArgs({
      name: node.name,
      accel: 'tcg',
      memoryMiB,
      cpus: 1,
      nic: { kind: 'tap', ifname: lab.tapOf(node.name), mac: node.mac },
      bootOrder: 'n',
      serialLog,
      noReboot: true,
    }),
    outputFile: join(dir, `${lab.runId}-${node.name}.qemu.out`),
  });
  return { qemu, serialLog };
}

/** Waits for a text on a node's serial console; the error carries the console's last lines. */
export async function waitForConsole(serialLog: string, text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!serialText(serialLog).includes(text)) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for "${text}" on ${serialLog}; last lines:\n${serialText(serialLog).slice(-1500)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
