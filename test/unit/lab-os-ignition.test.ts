// The lab OS e2e test's Ignition configs must be valid Ignition 3.3 (checked by the real
// ignition-validate), so a failure in the VM is never a typo in the config.
import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bootConfig, pxeConfig } from '../e2e/lab-os/ignition.ts';

const dir = mkdtempSync(join(tmpdir(), 'lab-os-ign-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function validate(name: string, config: object) {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(config));
  return execa('ignition-validate', [file], { reject: false });
}

describe('lab OS e2e Ignition configs', () => {
  it('the PXE config validates and runs flatcar-install on /dev/sda against the given mirror', async () => {
    const config = pxeConfig('http://10.0.0.5:8080');
    const r = await validate('pxe.ign', config);
    expect(r.stderr + r.stdout).toBe('');
    expect(r.exitCode).toBe(0);
    expect(JSON.stringify(config)).toContain('flatcar-install -d /dev/sda -i /opt/ignition.json -b http://10.0.0.5:8080/flatcar/amd64-usr');
  });

  it('the boot config validates and gives core the SSH key', async () => {
    const config = bootConfig('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0 test');
    const r = await validate('boot.ign', config);
    expect(r.stderr + r.stdout).toBe('');
    expect(r.exitCode).toBe(0);
    expect((config as { passwd: { users: Array<{ name: string }> } }).passwd.users[0]!.name).toBe('core');
  });
});
