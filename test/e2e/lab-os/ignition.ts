import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Ignition 3.3 configs for the lab OS end-to-end test (hand-written: this test must not depend on the Butane room). */
const here = join(import.meta.dirname, '.');

function dataUrl(text: string): string {
  return `data:;base64,${Buffer.from(text).toString('base64')}`;
}

function unit(lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

/** The live system's config: run the refusal cases, then the installer (as the seed's PXE config does). */
export function pxeConfig(mirror: string): object {
  return {
    ignition: { version: '3.3.0' },
    storage: {
      files: [
        { path: '/opt/ignition.json', mode: 0o644, contents: { source: `${mirror}/ignition/lab-os-ignite-boot.ign` } },
        { path: '/opt/lab-refusals.sh', mode: 0o755, contents: { source: dataUrl(readFileSync(join(here, 'refusals.sh'), 'utf8')) } },
      ],
    },
    systemd: {
      units: [
        {
          name: 'lab-refusals.service',
          enabled: true,
          contents: unit([
            '[Unit]',
            'Description=flatcar-install must refuse bad input',
            'Wants=network-online.target',
            'After=network-online.target',
            '[Service]',
            'Type=oneshot',
            'RemainAfterExit=yes',
            `ExecStart=/opt/lab-refusals.sh ${mirror}`,
            'StandardOutput=journal+console',
            '[Install]',
            'WantedBy=multi-user.target',
          ]),
        },
        {
          name: 'installer.service',
          enabled: true,
          contents: unit([
            '[Unit]',
            'Description=Install the lab OS to /dev/sda',
            'Wants=network-online.target',
            'After=network-online.target multi-user.target lab-refusals.service',
            '[Service]',
            'Type=oneshot',
            `ExecStart=/usr/bin/bash -c 'flatcar-install -d /dev/sda -i /opt/ignition.json -b ${mirror}/flatcar/amd64-usr && udevadm settle && systemctl reboot'`,
            'StandardOutput=journal+console',
            'StandardError=journal+console',
            '[Install]',
            'WantedBy=multi-user.target',
          ]),
        },
      ],
    },
  };
}

/** The installed system's config (OEM/config.ign): a user with our key, the checker, a run counter. */
export function bootConfig(sshPublicKey: string): object {
  return {
    ignition: { version: '3.3.0' },
    passwd: { users: [{ name: 'core', sshAuthorizedKeys: [sshPublicKey] }] },
    storage: {
      files: [
        { path: '/opt/lab-check.sh', mode: 0o755, contents: { source: dataUrl(readFileSync(join(here, 'checker.sh'), 'utf8')) } },
        { path: '/opt/lab-check.key', mode: 0o644, contents: { source: dataUrl(`${sshPublicKey}\n`) } },
        // One line per Ignition run: the second disk boot must still find exactly one.
        { path: '/var/lib/lab/ignition-runs', mode: 0o644, append: [{ source: dataUrl('ignition ran\n') }] },
      ],
    },
    systemd: {
      units: [
        {
          name: 'lab-check.service',
          enabled: true,
          contents: unit([
            '[Unit]',
            'Description=Lab OS fidelity checks',
            'After=multi-user.target ssh.service systemd-networkd.service',
            '[Service]',
            'Type=oneshot',
            'ExecStart=/opt/lab-check.sh',
            // The first disk boot ends itself; the harness logs in over SSH and powers off later boots.
            "ExecStartPost=/usr/bin/bash -c 'grep -q flatcar.first_boot= /proc/cmdline && systemctl --no-block poweroff || true'",
            'StandardOutput=journal+console',
            '[Install]',
            'WantedBy=multi-user.target',
          ]),
        },
      ],
    },
  };
}
