// renderRun: the run directory a real PXE server holds, every config valid, written all-or-nothing.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeDataUrl } from '../../harness/ignition/dataUrl.ts';
import { ConfigError } from '../../harness/ignition/diagnostics.ts';
import type { IgnitionConfig } from '../../harness/ignition/ignitionTypes.ts';
import { renderRun } from '../../harness/ignition/renderRun.ts';
import { validateIgnition } from '../../harness/ignition/validate.ts';
import { loadScenario, validateScenario, type Scenario } from '../../harness/scenario/model.ts';
import { pxelinuxFiles } from '../../harness/services/pxelinux.ts';
import { createHash } from 'node:crypto';
import { pxeKernelArgsOf } from '../../harness/scenario/labOsRelease.ts';

const work = mkdtempSync(join(tmpdir(), 'render-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIRenderTestKey lab@test';

describe('renderRun three-node-ha', async () => {
  const scenario = await loadScenario('three-node-ha');
  const out = join(work, 'three');
  const run = await renderRun(scenario, { outDir: out, sshPublicKey: key, k3sVersion: 'v1.34.7+k3s1' });
  const read = (rel: string): string => readFileSync(join(out, rel), 'utf8');
  const ign = (rel: string): IgnitionConfig => JSON.parse(read(rel)) as IgnitionConfig;

  it('writes pxelinux.cfg for 0A000046, 0A000047, 0A000048 and six Ignition files', () => {
    expect(readdirSync(join(out, 'tftp/pxelinux.cfg')).sort()).toEqual(['0A000046', '0A000047', '0A000048']);
    expect(readdirSync(join(out, 'tftp/ignition')).sort()).toEqual(['node-1-ignite-boot.ign', 'node-1-ignite-pxe.ign', 'node-2-ignite-boot.ign', 'node-2-ignite-pxe.ign', 'node-3-ignite-boot.ign', 'node-3-ignite-pxe.ign']);
    expect(readdirSync(join(out, 'mirror/ignition')).sort()).toEqual(readdirSync(join(out, 'tftp/ignition')).sort());
    expect(readFileSync(join(out, 'tftp/pxelinux.0')).equals(readFileSync(pxelinuxFiles.loader))).toBe(true);
    expect(readFileSync(join(out, 'tftp/ldlinux.c32')).equals(readFileSync(pxelinuxFiles.ldlinux))).toBe(true);
  });

  it('pxelinux config boots the lab OS by http:// URL with the contract kernel args', () => {
    const cfg = read('tftp/pxelinux.cfg/0A000047');
    expect(cfg).toContain('kernel http://10.0.0.5:8080/flatcar/amd64-usr/current/flatcar_production_pxe.vmlinuz');
    expect(cfg).toContain(
      'append initrd=http://10.0.0.5:8080/flatcar/amd64-usr/current/flatcar_production_pxe_image.cpio.gz flatcar.first_boot=1 ignition.config.url=http://10.0.0.5:8080/ignition/node-2-ignite-pxe.ign console=ttyS0,115200n8 flatcar.autologin',
    );
  });

  it('every rendered config passes ignition-validate with no warning', async () => {
    for (const f of readdirSync(join(out, 'tftp/ignition'))) {
      const r = await validateIgnition(read(`tftp/ignition/${f}`));
      expect({ f, errors: r.errors, warnings: r.warnings }).toEqual({ f, errors: [], warnings: [] });
    }
  });

  it('boot stage: unique hostname, role-specific INSTALL_K3S_EXEC, one token, both guards', () => {
    const tokens = new Set<string>();
    for (const [i, exec] of ['server --cluster-init', 'server --server https://10.0.0.70:6443', 'server --server https://10.0.0.70:6443'].entries()) {
      const c = ign(`tftp/ignition/node-${i + 1}-ignite-boot.ign`);
      const hostname = c.storage?.files?.find((f) => f.path === '/etc/hostname');
      expect(decodeDataUrl(hostname!.contents!.source!)).toBe(`node-${i + 1}`);
      const unit = c.systemd?.units?.find((u) => u.name === 'k3s-install.service')!;
      expect(unit.enabled).toBe(true);
      expect(unit.contents).toContain(`Environment="INSTALL_K3S_EXEC=${exec}"`);
      expect(unit.contents).toContain('ConditionPathExists=/opt/k3s-install.sh\nConditionPathExists=!/opt/k3s-install.done');
      expect(unit.contents).toContain('ExecStartPost=/usr/bin/sh -c "sync && touch /opt/k3s-install.done && sync"');
      expect(unit.contents).toContain('Type=oneshot');
      tokens.add(/K3S_TOKEN=([^"]+)/.exec(unit.contents!)![1]!);
      expect(unit.dropins?.[0]?.contents).toContain('Environment=GITHUB_URL=http://10.0.0.5:8080/k3s/releases\nEnvironment=INSTALL_K3S_VERSION=v1.34.7+k3s1');
      expect(c.storage?.files?.find((f) => f.path === '/opt/k3s-install.sh')?.contents?.source).toBe('http://10.0.0.5:8080/k3s/install.sh');
      expect(c.passwd?.users).toEqual([{ name: 'core', sshAuthorizedKeys: [key] }]);
    }
    expect(tokens).toEqual(new Set([scenario.cluster.token]));
  });

  it('PXE stage: installer.service as the issue says, /opt/ignition.json pinned by the boot config hash', () => {
    const c = ign('tftp/ignition/node-1-ignite-pxe.ign');
    const installer = c.systemd?.units?.find((u) => u.name === 'installer.service')!;
    expect(installer.contents).toContain('ExecStart=/usr/bin/sh -c "flatcar-install -d /dev/sda -i /opt/ignition.json && udevadm settle && systemctl reboot"');
    expect(installer.contents).toMatch(/Type=oneshot/);
    expect(installer.contents).toMatch(/After=network-online.target/);
    expect(installer.contents).toMatch(/After=multi-user.target/);
    const boot = c.storage?.files?.find((f) => f.path === '/opt/ignition.json')!;
    expect(boot.contents?.source).toBe('http://10.0.0.5:8080/ignition/node-1-ignite-boot.ign');
    const served = read('mirror/ignition/node-1-ignite-boot.ign');
    expect(boot.contents?.verification?.hash).toBe(`sha512-${createHash('sha512').update(served).digest('hex')}`);
  });

  it('the user configs and the overlay are written separately, and the manifest holds no token', () => {
    const user = ign('user/node-1-ignite-boot.ign');
    expect(user.passwd).toBeUndefined();
    expect(user.storage?.files?.find((f) => f.path === '/opt/k3s-install.sh')?.contents?.source).toBe('https://get.k3s.io');
    expect(ign('overlay/node-1-ignite-boot.ign').passwd?.users?.[0]?.name).toBe('core');
    expect(read('overlay/rewrites.txt')).toContain('https://get.k3s.io -> http://10.0.0.5:8080/k3s/install.sh');
    expect(read('render.json')).not.toContain(scenario.cluster.token);
    expect(run.nodes.map((n) => n.hexIp)).toEqual(['0A000046', '0A000047', '0A000048']);
    expect(run.kernelUrl).toBe('http://10.0.0.5:8080/flatcar/amd64-usr/current/flatcar_production_pxe.vmlinuz');
  });

  it('places a given install.sh at mirror/k3s/install.sh', async () => {
    const sh = join(work, 'install.sh');
    writeFileSync(sh, '#!/bin/sh\necho fixture\n');
    const out2 = join(work, 'with-install-sh');
    const r = await renderRun(scenario, { outDir: out2, installShPath: sh });
    expect(readFileSync(join(out2, 'mirror/k3s/install.sh'), 'utf8')).toBe('#!/bin/sh\necho fixture\n');
    expect(r.files).toContain('mirror/k3s/install.sh');
  });

  it('re-rendering replaces its own directory', async () => {
    await renderRun(scenario, { outDir: out, k3sVersion: 'v1.34.7+k3s1' });
    expect(ign('tftp/ignition/node-1-ignite-boot.ign').passwd).toBeUndefined();
  });
});

describe('renderRun on bad input writes nothing', () => {
  const templatesDir = join(work, 'templates');
  mkdirSync(templatesDir, { recursive: true });
  const good = readFileSync('templates/ignite-pxe.yaml', 'utf8');
  const scenarioWith = (bootTemplate: string): Scenario => {
    const path = join(templatesDir, `boot-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(path, bootTemplate);
    const pxe = join(templatesDir, 'pxe.yaml');
    writeFileSync(pxe, good);
    return validateScenario(
      {
        name: 'bad',
        description: '',
        network: { prefix: 24, serverIp: '10.0.0.5', mirrorPort: 8080 },
        nodes: [{ name: 'node-1', mac: '52:54:00:00:00:46', ip: '10.0.0.70', role: 'init' }],
        cluster: { token: 't' },
        templates: { pxe, boot: path },
      },
      '/nonexistent.ts',
    );
  };

  it.each([
    ['a missing template variable', 'variant: flatcar\nversion: 1.0.0\nstorage:\n  files:\n    - path: /etc/hostname\n      contents:\n        inline: {{ host_name }}\n', /boot-\w+\.yaml:7:17: error: template variable 'host_name' is not set/],
    ['a YAML syntax error', 'variant: flatcar\nversion: 1.0.0\nstorage: [\n', /boot-\w+\.yaml:4:1: error: YAML syntax/],
    ['an unknown key', 'variant: flatcar\nversion: 1.0.0\nstorage:\n  fils: []\n', /boot-\w+\.yaml:4:3: error at \$\.storage\.fils: unknown key 'fils'/],
  ])('%s', async (_what, template, message) => {
    const out = join(work, `bad-${Math.random().toString(36).slice(2)}`);
    const err = await renderRun(scenarioWith(template), { outDir: out }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(message);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(work).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('refuses to replace a directory it did not render', async () => {
    const out = join(work, 'foreign');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'mine');
    await expect(renderRun(await loadScenario('single-node'), { outDir: out })).rejects.toThrow(/is not a rendered run directory/);
    expect(readdirSync(out)).toEqual(['keep.txt']);
  });
});

describe('kernel arguments a release asks for', () => {
  it("the lab OS's lab-pxe-kernel-args.txt ends every pxelinux APPEND line; a Flatcar release without it adds nothing", async () => {
    const rel = join(work, 'release');
    mkdirSync(rel, { recursive: true });
    expect(pxeKernelArgsOf(rel)).toEqual([]);
    writeFileSync(join(rel, 'lab-pxe-kernel-args.txt'), 'security=selinux audit=0\n');
    const args = pxeKernelArgsOf(rel);
    expect(args).toEqual(['security=selinux', 'audit=0']);
    const out = join(work, 'release-args');
    await renderRun(await loadScenario('single-node'), { outDir: out, k3sVersion: 'v1.34.7+k3s1', releaseKernelArgs: args });
    expect(readFileSync(join(out, 'tftp/pxelinux.cfg/0A000046'), 'utf8')).toMatch(/ flatcar\.autologin security=selinux audit=0\n/);
    writeFileSync(join(rel, 'lab-pxe-kernel-args.txt'), 'security=selinux\ninitrd=evil "quoted"\n');
    expect(() => pxeKernelArgsOf(rel)).toThrow(/lab-pxe-kernel-args\.txt: '"quoted"' is not a kernel argument/);
  });
});
