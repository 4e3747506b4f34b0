// flatcar-install's argument checks, run on the host: every case here fails before any download
// or disk access, so it is safe outside a VM. The download/verify/write paths run in the
// lab OS e2e test (test/e2e/lab-os.test.ts).
import { execa } from 'execa';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labOsRecipeDir } from '../../harness/artifacts/labOsRecipe.ts';

const script = join(labOsRecipeDir, 'overlay/usr/bin/flatcar-install');
const run = (args: string[]) => execa('bash', [script, ...args], { reject: false, env: { TMPDIR: '/tmp' } });

describe('flatcar-install arguments', () => {
  it('prints Flatcar-style usage with all its options for -h', async () => {
    const r = await run(['-h']);
    expect(r.exitCode).toBe(0);
    for (const opt of ['-d DEVICE', '-V VERSION', '-B BOARD', '-C CHANNEL', '-o OEM', '-c CLOUD', '-i IGNITION', '-b BASEURL', '-k KEYFILE', '-f IMAGE', '-y', '-v']) {
      expect(r.stdout).toContain(opt);
    }
  });

  it.each([
    [['-i', '/nonexistent.ign'], 'flatcar-install: no target device given (-d DEVICE)'],
    [['-d', '/dev/lab-no-such-disk'], 'flatcar-install: device /dev/lab-no-such-disk does not exist'],
    [['-d', '/etc/hostname'], 'flatcar-install: /etc/hostname is not a block device'],
    [['-d', '/dev/null', 'extra'], "flatcar-install: unexpected argument 'extra' (see -h)"],
  ])('refuses %j with one line and a non-zero exit', async (args, line) => {
    const r = await run(args);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual([line]);
  });

  it('rejects an unknown option with usage and exit 2', async () => {
    const r = await run(['-Q']);
    expect(r.exitCode).toBe(2);
  });
});
