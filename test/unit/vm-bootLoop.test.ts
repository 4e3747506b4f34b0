// BootLoop with real QEMU processes that end at once (a kernel file that does not exist makes
// QEMU exit before the guest runs): each boot is its own process, relaunched until `next` stops.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BootLoop } from '../../harness/vm/bootLoop.ts';
import { onThisHost } from '../../harness/vm/launcher.ts';
import type { QemuMachine } from '../../harness/vm/qemuArgs.ts';

const dir = mkdtempSync(join(tmpdir(), 'bootloop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const machine: Omit<QemuMachine, 'serialLog'> = {
  name: 'bootloop-unit',
  accel: 'tcg',
  memoryMiB: 64,
  cpus: 1,
  nic: { kind: 'user', mac: '52:54:00:00:00:99' },
  bootOrder: 'c',
  direct: { kernel: join(dir, 'no-such-kernel'), initrd: join(dir, 'no-such-initrd'), append: '' },
  noReboot: true,
};

describe('BootLoop', () => {
  it('runs one QEMU process per boot, relaunching on exit until next() returns undefined', async () => {
    const seen: number[] = [];
    const loop = new BootLoop({
      machine,
      serialLogFor: (i) => join(dir, `boot${i}.log`),
      spawn: onThisHost(dir),
      outputFile: join(dir, 'qemu.out'),
      next: (exit, boot) => (boot.index < 3 ? machine : undefined),
      onBoot: (b) => seen.push(b.index),
    });
    const boots = await loop.done;
    expect(seen).toEqual([1, 2, 3]);
    for (const b of boots) {
      expect(b.exit?.code).toBe(1);
      expect(b.exit?.stderr).toMatch(/could not open kernel file/);
      // The output file is shared by every boot; each boot's exit quotes only its own part.
      expect(b.exit?.stderr.match(/could not open kernel file/g)).toHaveLength(1);
    }
    expect(readFileSync(join(dir, 'qemu.out'), 'utf8').match(/could not open kernel file/g)).toHaveLength(3);
    // Each QEMU is a helper with a pid file while it runs; none is left once it has exited.
    expect(readdirSync(join(dir, 'pids'))).toEqual([]);
    await expect(loop.boot(4, 1000)).rejects.toThrow(/boot 4 never started: the node stopped after 3 boot\(s\)/);
  });

  it('stops at maxBoots', async () => {
    const loop = new BootLoop({ machine, serialLogFor: (i) => join(dir, `m${i}.log`), spawn: onThisHost(dir), outputFile: join(dir, 'm.out'), next: () => machine, maxBoots: 2 });
    expect((await loop.done).length).toBe(2);
  });
});
