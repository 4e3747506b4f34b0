/**
 * Runs Debian's real Ignition (the binary its dracut module ships) against a scratch root directory,
 * the way the initramfs runs it against /sysroot: `--platform file`, stages fetch then files.
 * The scratch root holds the few files Ignition edits (passwd, group, shadow, core's home).
 * One stand-in: `setfiles` — the host has no SELinux policy to relabel with, so a script that
 * consumes the path list takes its place (the lab OS ships the real relabel; see the feasibility notes).
 */
import { chownSync, chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export const ignitionBinary = '/usr/lib/dracut/modules.d/30ignition/ignition';

export interface IgnitionRun {
  ok: boolean;
  /** Ignition's own log lines (journal-socket noise removed). */
  log: string[];
}

export function scratchRoot(parent = tmpdir()): string {
  const root = mkdtempSync(join(parent, 'ign-root-'));
  // Ignition writes core's ssh keys as core: every directory on the way must be searchable (parent too).
  chmodSync(root, 0o755);
  mkdirSync(join(root, 'etc/selinux'), { recursive: true });
  writeFileSync(join(root, 'etc/selinux/config'), 'SELINUX=disabled\nSELINUXTYPE=targeted\n');
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\ncore:x:500:500:Core:/home/core:/bin/bash\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\ncore:x:500:\nsudo:x:27:\n');
  writeFileSync(join(root, 'etc/shadow'), 'root:*:19000:0:99999:7:::\ncore:*:19000:0:99999:7:::\n');
  writeFileSync(join(root, 'etc/gshadow'), 'root:*::\ncore:!::\nsudo:*::\n');
  mkdirSync(join(root, 'home/core'), { recursive: true });
  chownSync(join(root, 'home/core'), 500, 500);
  return root;
}

function setfilesStandIn(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'setfiles'), '#!/bin/sh\n# stand-in: no SELinux policy on the host; read the path list Ignition sends\ncat >/dev/null\n');
  chmodSync(join(bin, 'setfiles'), 0o755);
  return bin;
}

/** Applies one Ignition config file to `root` with the real Ignition binary. */
export async function applyIgnition(configFile: string, root: string): Promise<IgnitionRun> {
  const run = mkdtempSync(join(tmpdir(), 'ign-run-'));
  try {
    const bin = setfilesStandIn(run);
    const log: string[] = [];
    for (const stage of ['fetch', 'files']) {
      const r = await execa(
        ignitionBinary,
        ['--platform', 'file', '--stage', stage, '--root', root, '--config-cache', join(run, 'config.json'), '--state-file', join(run, 'state'), '--log-to-stdout', '--fetch-timeout', '20s'],
        { reject: false, timeout: 120_000, env: { IGNITION_CONFIG_FILE: configFile, PATH: `${bin}:${process.env.PATH}` } },
      );
      log.push(...`${r.stdout}\n${r.stderr}`.split('\n').filter((l) => l.trim() && !l.includes('systemd journal')));
      if (r.exitCode !== 0) return { ok: false, log };
    }
    return { ok: true, log };
  } finally {
    rmSync(run, { recursive: true, force: true });
  }
}
