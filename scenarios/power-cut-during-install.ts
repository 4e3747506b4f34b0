import type { Scenario } from '../harness/scenario/model.ts';
import type { ScenarioPlan } from '../harness/scenario/plan.ts';
import singleNode from './single-node.ts';

/**
 * A reproducer: a power cut while flatcar-install writes the disk, once the node's disk holds
 * 90 MiB. flatcar-install writes the image front to back: the partition table and the EFI/boot
 * partition with its kernel and initramfs (~35 MiB of data) come first, then USR-A (~110 MiB), so
 * at 90 MiB the boot loader is on the disk and /usr is half there, on any machine. (A delay after
 * the "Writing" line was tied to speed: 20 s came after /usr was complete once lbzip2 decompressed
 * on two vCPUs.) On power the firmware boots that disk (it has a boot loader: no fall-back to
 * PXE), the initramfs cannot mount the half-written /usr ("Failed to mount sysusr-usr.mount -
 * /sysusr/usr"), and the node stops in an emergency shell. It never reinstalls by itself: someone
 * must wipe the disk or PXE-boot it.
 */
const scenario: Scenario = {
  ...singleNode,
  name: 'power-cut-during-install',
  description: 'single-node, power cut while flatcar-install writes /dev/sda (its disk holding 90 MiB), power back after 5 s: the half-written disk boots into an emergency shell',
  expect: {
    outcome: 'fail',
    reasons: [
      {
        text: 'the half-written disk boots (its boot loader was written first) and the initramfs, unable to mount the incomplete /usr, stops in an emergency shell',
        cause: { node: 'node-1', line: 'Reached target emergency.target' },
      },
    ],
  },
};

export const plan: ScenarioPlan = {
  assertions: ['usr-local-bin-read-only', 'k3s-in-opt-bin', 'all-nodes-joined'],
  pxeStageUnderTest: 'cuts the power while flatcar-install writes the disk',
  async run(t) {
    await t.bootAll();
    await t.powerCutAt('node-1', { diskBytes: 90 * 2 ** 20 }, { offMs: 5_000 });
    await t.waitForPhase('joined');
  },
};

export default scenario;
