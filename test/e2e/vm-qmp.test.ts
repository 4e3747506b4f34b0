import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { qemuArgs } from '../../harness/vm/qemuArgs.ts';
import { qmpExecute } from '../../harness/vm/qmp.ts';

const dir = mkdtempSync(join(tmpdir(), 'fkl-qmp-e2e-'));
const started: ResultPromise[] = [];
afterAll(() => {
  for (const q of started) q.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A real QEMU with the lab's arguments and its QMP socket, held before the firmware runs (-S): power control needs no guest. */
async function pausedQemu(name: string): Promise<{ qemu: ResultPromise; qmp: string }> {
  const qmp = join(dir, `${name}.qmp`);
  const args = qemuArgs({ name, accel: 'tcg', memoryMiB: 128, cpus: 1, nic: { kind: 'user', mac: '52:54:00:00:00:99' }, bootOrder: 'n', serialLog: join(dir, `${name}.serial`), qmpSocket: qmp, noReboot: true });
  const qemu = execa('qemu-system-x86_64', [...args, '-S'], { reject: false, stdin: 'ignore' });
  started.push(qemu);
  for (let i = 0; i < 100; i++) {
    const status = await qmpExecute(qmp, 'query-status', undefined, 1_000).catch(() => undefined);
    if (status) return { qemu, qmp };
    await new Promise((r) => setTimeout(r, 100));
  }
  const exit = await exitWithin(qemu, 100);
  throw new Error(`QEMU ${name} never answered on ${qmp} within 10 s (QEMU ${exit === 'still running' ? 'still running' : `exited ${exit}`})`);
}

const exitWithin = (qemu: ResultPromise, ms: number) => Promise.race([qemu.then((r) => r.exitCode), new Promise<'still running'>((r) => setTimeout(() => r('still running'), ms))]);

describe('QMP on a real QEMU', () => {
  it('answers queries and names an unknown command', async () => {
    const { qmp } = await pausedQemu('query');
    await expect(qmpExecute(qmp, 'query-status')).resolves.toMatchObject({ running: false, status: 'prelaunch' });
    await expect(qmpExecute(qmp, 'no-such-command')).rejects.toThrow(/QMP no-such-command: CommandNotFound: /);
  });

  it('the reset button ends the QEMU process under -no-reboot, so the next boot is a new process', async () => {
    const { qemu, qmp } = await pausedQemu('reset');
    await qmpExecute(qmp, 'system_reset');
    expect(await exitWithin(qemu, 10_000)).toBe(0);
  });

  it('quit is a power cut: QEMU is gone at once', async () => {
    const { qemu, qmp } = await pausedQemu('quit');
    await qmpExecute(qmp, 'quit');
    expect(await exitWithin(qemu, 10_000)).toBe(0);
  });
});
