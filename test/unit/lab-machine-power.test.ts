import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startHelper, type HelperSpec } from '../../harness/lab/helper.ts';
import type { Lab } from '../../harness/lab/lab.ts';
import { LabMachine } from '../../harness/scenario/labMachine.ts';
import type { NodeSpec } from '../../harness/scenario/topology.ts';

const dir = mkdtempSync(join(tmpdir(), 'fkl-labmachine-'));
mkdirSync(join(dir, 'pids'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A stand-in for qemu-system-x86_64 that takes the real argument list and serves QMP on the
 * `-qmp unix:…` socket as QEMU does, with the one behaviour under test: on `quit` it may hang up
 * before replying (the reply races QEMU's exit; systemd PR #41836), then takes a while to close
 * its disks (QEMU writes out qcow2 metadata on the way out) and exits 0. It records whether it
 * got that far or was killed part-way. SIGTERM ends it cleanly too, as it does QEMU.
 */
const fakeQemu = join(dir, 'fake-qemu.mjs');
writeFileSync(
  fakeQemu,
  `import { createServer } from 'node:net';
import { appendFileSync } from 'node:fs';
const [marker, mode] = process.argv.slice(2, 4);
const qmp = process.argv[process.argv.indexOf('-qmp') + 1].replace(/^unix:/, '').split(',')[0];
const closeDisks = (why) => setTimeout(() => { appendFileSync(marker, 'disks closed after ' + why + '\\n'); process.exit(0); }, 1500);
process.on('SIGTERM', () => closeDisks('SIGTERM'));
createServer((sock) => {
  sock.write(JSON.stringify({ QMP: { version: {}, capabilities: [] } }) + '\\r\\n');
  let buf = '';
  sock.on('data', (d) => {
    buf += d;
    for (let nl = buf.indexOf('\\n'); nl >= 0; nl = buf.indexOf('\\n')) {
      const cmd = JSON.parse(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      if (cmd.execute === 'qmp_capabilities') sock.write(JSON.stringify({ return: {}, id: cmd.id }) + '\\r\\n');
      else if (cmd.execute === 'quit' && mode === 'deaf') appendFileSync(marker, 'quit ignored\\n');
      else if (cmd.execute === 'quit') {
        if (mode === 'replies') sock.write(JSON.stringify({ return: {}, id: cmd.id }) + '\\r\\n');
        sock.destroy();
        closeDisks('quit');
      }
    }
  });
}).listen(qmp);
`,
);

function machineWith(mode: 'hangs-up' | 'replies' | 'deaf', name: string): { machine: LabMachine; marker: string } {
  const marker = join(dir, `${name}.marker`);
  const lab = {
    tapOf: () => `tap-${name}`,
    spawn: (spec: Omit<HelperSpec, 'netns' | 'runDir'>) =>
      startHelper({ ...spec, cmd: process.execPath, args: [fakeQemu, marker, mode, ...spec.args], runDir: dir }),
  } as unknown as Lab;
  const spec = { name, mac: '52:54:00:00:00:01' } as NodeSpec;
  const nodeDir = mkdtempSync(join(dir, `${name}-`));
  return { machine: new LabMachine(lab, spec, { accel: 'tcg', memoryMiB: 256, dir: nodeDir }), marker };
}

async function powered(machine: LabMachine): Promise<void> {
  await machine.powerOn('power on');
  const qmp = join(machine.opts.dir, `${machine.node}.qmp`);
  for (let i = 0; i < 100 && !existsSync(qmp); i++) await new Promise((r) => setTimeout(r, 50));
}

describe('LabMachine power cut', () => {
  // 'hangs-up': the reply lost the race with QEMU's exit; the old code SIGKILLed it part-way.
  it.each(['hangs-up', 'replies'] as const)('a QEMU that %s on `quit` is left to close its disks, not killed part-way', async (mode) => {
    const { machine, marker } = machineWith(mode, mode);
    await powered(machine);
    const exit = await machine.powerCut();
    expect(exit.signal, 'QEMU was killed while closing its disks').toBeUndefined();
    expect(exit.exitCode).toBe(0);
    expect(readFileSync(marker, 'utf8')).toBe('disks closed after quit\n');
  });

  it('a QEMU that ignores `quit` gets SIGTERM, which still closes its disks', async () => {
    const { machine, marker } = machineWith('deaf', 'deaf');
    await powered(machine);
    const exit = await machine.powerCut();
    expect(exit).toMatchObject({ exitCode: 0 });
    expect(readFileSync(marker, 'utf8')).toBe('quit ignored\ndisks closed after SIGTERM\n');
  }, 30_000);
});
