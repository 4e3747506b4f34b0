// The harness overlay: a separate config merged the way Ignition merges, never an edit of the user's.
import { describe, expect, it } from 'vitest';
import type { IgnitionConfig } from '../../harness/ignition/ignitionTypes.ts';
import { mergeIgnition } from '../../harness/ignition/mergeConfigs.ts';
import { buildOverlay, rewriteUrl, type OverlayOptions } from '../../harness/ignition/overlay.ts';

const user: IgnitionConfig = {
  ignition: { version: '3.3.0' },
  storage: {
    files: [
      { path: '/opt/k3s-install.sh', mode: 0o755, contents: { source: 'https://get.k3s.io' } },
      { path: '/opt/ignition.json', contents: { source: 'http://10.0.0.5:8080/node-1-ignite-boot.ign', verification: { hash: 'sha512-x' } } },
    ],
  },
  systemd: {
    units: [
      { name: 'k3s-install.service', enabled: true, contents: '[Service]\nType=oneshot\nExecStart=/usr/bin/sh -c "/opt/k3s-install.sh"\n' },
      { name: 'installer.service', enabled: true, contents: '[Service]\nExecStart=/usr/bin/sh -c "flatcar-install -d /dev/sda -i /opt/ignition.json && systemctl reboot"\n' },
    ],
  },
  passwd: { users: [{ name: 'core', sshAuthorizedKeys: ['ssh-ed25519 USERKEY user'] }] },
};

const lab: OverlayOptions = { mirrorBaseUrl: 'http://10.0.0.5:8080', templateServerUrl: 'http://10.0.0.5:8080', sshPublicKey: 'ssh-ed25519 LABKEY lab', k3sVersion: 'v1.34.7+k3s1' };

describe('overlay', () => {
  it('rewrites install.sh and GitHub release URLs to the mirror layout', () => {
    expect(rewriteUrl('https://get.k3s.io', lab)?.to).toBe('http://10.0.0.5:8080/k3s/install.sh');
    expect(rewriteUrl('https://github.com/k3s-io/k3s/releases/download/v1.34.7+k3s1/k3s', lab)?.to).toBe('http://10.0.0.5:8080/k3s/releases/download/v1.34.7+k3s1/k3s');
    expect(rewriteUrl('http://10.0.0.5:8080/node-1-ignite-boot.ign', lab)?.to).toBe('http://10.0.0.5:8080/ignition/node-1-ignite-boot.ign');
    expect(rewriteUrl('http://10.0.0.5:8080/ignition/node-1-ignite-boot.ign', lab)).toBeUndefined();
    expect(rewriteUrl('https://example.com/x', lab)).toBeUndefined();
  });

  it('adds the SSH key, the install.sh environment and keeps the user config untouched', () => {
    const before = JSON.stringify(user);
    const { config, changes } = buildOverlay(user, lab);
    expect(JSON.stringify(user)).toBe(before);
    const merged = mergeIgnition(user, config);
    expect(merged.passwd?.users?.[0]?.sshAuthorizedKeys).toEqual(['ssh-ed25519 USERKEY user', 'ssh-ed25519 LABKEY lab']);
    const script = merged.storage?.files?.find((f) => f.path === '/opt/k3s-install.sh');
    expect(script).toEqual({ path: '/opt/k3s-install.sh', mode: 0o755, contents: { source: 'http://10.0.0.5:8080/k3s/install.sh' } });
    const boot = merged.storage?.files?.find((f) => f.path === '/opt/ignition.json');
    expect(boot?.contents).toEqual({ source: 'http://10.0.0.5:8080/ignition/node-1-ignite-boot.ign', verification: { hash: 'sha512-x' } });
    const unit = merged.systemd?.units?.find((u) => u.name === 'k3s-install.service');
    expect(unit?.contents).toBe(user.systemd!.units![0]!.contents);
    expect(unit?.dropins).toEqual([
      { name: '10-lab-mirror.conf', contents: expect.stringContaining('Environment=GITHUB_URL=http://10.0.0.5:8080/k3s/releases\nEnvironment=INSTALL_K3S_VERSION=v1.34.7+k3s1') },
    ]);
    // flatcar-install's default base is the lab mirror: no installer drop-in needed.
    expect(merged.systemd?.units?.find((u) => u.name === 'installer.service')?.dropins).toBeUndefined();
    expect(changes).toContain("user core: the run's SSH public key");
  });

  it('points flatcar-install at another mirror with -b through a drop-in', () => {
    const { config } = buildOverlay(user, { ...lab, mirrorBaseUrl: 'http://127.0.0.1:9999', labOsVersion: '4081.2.0' });
    const dropin = config.systemd?.units?.find((u) => u.name === 'installer.service')?.dropins?.[0];
    expect(dropin?.contents).toContain('ExecStart=\nExecStart=/usr/bin/sh -c "flatcar-install -b http://127.0.0.1:9999/flatcar/amd64-usr -V 4081.2.0 -d /dev/sda');
    const boot = config.storage?.files?.find((f) => f.path === '/opt/ignition.json');
    expect(boot?.contents?.source).toBe('http://127.0.0.1:9999/ignition/node-1-ignite-boot.ign');
  });
});

describe('mergeIgnition', () => {
  it('keys files by path and units by name; child fields win, others stay', () => {
    const parent: IgnitionConfig = { ignition: { version: '3.3.0' }, storage: { files: [{ path: '/a', mode: 0o600, contents: { source: 'data:,a' } }, { path: '/b' }] } };
    const child: IgnitionConfig = { ignition: { version: '3.3.0' }, storage: { files: [{ path: '/a', contents: { source: 'data:,z' } }, { path: '/c' }] } };
    expect(mergeIgnition(parent, child).storage?.files).toEqual([{ path: '/a', mode: 0o600, contents: { source: 'data:,z' } }, { path: '/b' }, { path: '/c' }]);
  });
});
