// The rendered configs applied by the real Ignition (Debian's 2.14, the one in the lab OS initramfs)
// to scratch roots, with the run's mirror served over loopback: what Ignition writes is what the
// templates mean, the PXE stage's sha512 pin on /opt/ignition.json holds, a tampered boot config is
// refused, and the seed's `mode: 777` lands as 0411.
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { chmodSync, mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderRun, type RenderedRun } from '../../harness/ignition/renderRun.ts';
import { loadScenario } from '../../harness/scenario/model.ts';
import { applyIgnition, ignitionBinary, scratchRoot } from './support/ignitionRoot.ts';

const canRun = process.getuid?.() === 0 && existsSync(ignitionBinary);
const work = mkdtempSync(join(tmpdir(), 'ignition-apply-'));
chmodSync(work, 0o755); // scratch roots live here; Ignition writes core's keys as uid 500
let server: Server;
let base = '';
let mirrorDir = '';

function serveMirror(): Promise<string> {
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0]!)).replace(/^(\.\.[/\\])+/, '');
    const file = join(mirrorDir, path);
    if (!file.startsWith(mirrorDir) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

async function render(name: string): Promise<RenderedRun> {
  const install = join(work, 'install.sh');
  writeFileSync(install, '#!/bin/sh\necho "install.sh fixture for the Ignition test"\n');
  return renderRun(await loadScenario(name), {
    outDir: join(work, name),
    mirrorBaseUrl: base,
    sshPublicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIgnitionApplyTest lab@test',
    k3sVersion: 'v1.34.7+k3s1',
    installShPath: install,
  });
}

beforeAll(async () => {
  if (canRun) base = await serveMirror();
});
afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!canRun)('real Ignition applies the rendered configs', () => {
  it('single-node: PXE stage then boot stage', async () => {
    const run = await render('single-node');
    mirrorDir = run.mirrorDir;
    const node = run.nodes[0]!;

    const live = scratchRoot(work);
    const pxe = await applyIgnition(join(run.outDir, node.stages.pxe.tftpPath), live);
    expect(pxe.log.filter((l) => /CRITICAL|ERROR/.test(l))).toEqual([]);
    expect(pxe.ok).toBe(true);
    // /opt/ignition.json is the boot config the mirror serves, fetched and checked against the sha512 pin.
    expect(readFileSync(join(live, 'opt/ignition.json'), 'utf8')).toBe(readFileSync(join(run.outDir, node.stages.boot.mirrorPath), 'utf8'));
    expect(statSync(join(live, 'opt/ignition.json')).mode & 0o7777).toBe(0o600);
    expect(readFileSync(join(live, 'etc/systemd/system/installer.service'), 'utf8')).toContain('flatcar-install -d /dev/sda -i /opt/ignition.json && udevadm settle && systemctl reboot');
    expect(readFileSync(join(live, 'etc/systemd/system-preset/20-ignition.preset'), 'utf8')).toContain('enable installer.service');

    const disk = scratchRoot(work);
    const boot = await applyIgnition(join(live, 'opt/ignition.json'), disk);
    expect(boot.ok).toBe(true);
    expect(readFileSync(join(disk, 'etc/hostname'), 'utf8')).toBe('node-1');
    expect(readFileSync(join(disk, 'opt/k3s-install.sh'), 'utf8')).toContain('install.sh fixture');
    expect(statSync(join(disk, 'opt/k3s-install.sh')).mode & 0o7777).toBe(0o755);
    const unit = readFileSync(join(disk, 'etc/systemd/system/k3s-install.service'), 'utf8');
    // The guard is the stamp install.sh's unit writes after a run to completion, not the binary
    // (the binary lands before k3s.service exists: scenarios/power-cut-during-k3s-install.ts).
    expect(unit).toContain('ConditionPathExists=!/opt/k3s-install.done');
    expect(unit).toContain('ExecStartPost=/usr/bin/sh -c "sync && touch /opt/k3s-install.done && sync"');
    expect(unit).toContain('Environment="INSTALL_K3S_EXEC=server --cluster-init"');
    expect(readFileSync(join(disk, 'etc/systemd/system/k3s-install.service.d/10-lab-mirror.conf'), 'utf8')).toContain(`Environment=GITHUB_URL=${base}/k3s/releases`);
    expect(readFileSync(join(disk, 'etc/systemd/system-preset/20-ignition.preset'), 'utf8')).toContain('enable k3s-install.service');
    expect(readFileSync(join(disk, 'home/core/.ssh/authorized_keys.d/ignition'), 'utf8')).toContain('IgnitionApplyTest');
  });

  it('a boot config changed after rendering is refused by the PXE stage (hash pin)', async () => {
    const run = await render('single-node');
    mirrorDir = run.mirrorDir;
    const node = run.nodes[0]!;
    appendFileSync(join(run.outDir, node.stages.boot.mirrorPath), ' ');
    const live = scratchRoot(work);
    const pxe = await applyIgnition(join(run.outDir, node.stages.pxe.tftpPath), live);
    expect(pxe.ok).toBe(false);
    expect(pxe.log.join("\n")).toMatch(/hash verification failed/);
    expect(existsSync(join(live, 'opt/ignition.json'))).toBe(false);
  });

  it("the seed's mode: 777 is written as 0411 (decimal 777 = 0o1411, sticky bit dropped before spec 3.4.0)", async () => {
    const run = await render('seed-literal');
    mirrorDir = run.mirrorDir;
    const disk = scratchRoot(work);
    const boot = await applyIgnition(join(run.outDir, run.nodes[0]!.stages.boot.tftpPath), disk);
    expect(boot.ok).toBe(true);
    expect(boot.log.join('\n')).toMatch(/setuid\/setgid\/sticky bits are not supported/);
    expect(statSync(join(disk, 'opt/k3s-install.sh')).mode & 0o7777).toBe(0o411);
    expect(readFileSync(join(disk, 'etc/systemd/system/k3s-install.service'), 'utf8')).toContain('Environment="K3STOKEN=');
  });
});
