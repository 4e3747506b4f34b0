/**
 * A real systemd for tests on a host whose PID 1 is not systemd: systemd-nspawn boots the host's own
 * /usr read-only (--volatile=yes: / and /etc on tmpfs, so /usr/local/bin is read-only exactly as on
 * Flatcar) inside a network namespace the test made. Commands run in it through nsenter.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execa } from 'execa';
import { openSync, closeSync } from 'node:fs';
import { waitFor } from './k3sDoubleNode.ts';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface Container {
  leader: number;
  exec(cmd: string[], opts?: { env?: Record<string, string>; timeoutMs?: number }): Promise<ExecResult>;
  stop(): Promise<void>;
}

export async function bootContainer(o: {
  name: string;
  netns: string;
  consoleLog: string;
  bindRo?: [string, string][];
  initArgs?: string[];
}): Promise<Container> {
  const fd = openSync(o.consoleLog, 'a');
  const args = [
    '--quiet',
    '--register=no',
    '--keep-unit',
    '--directory=/',
    '--volatile=yes',
    `--network-namespace-path=/run/netns/${o.netns}`,
    `--machine=${o.name}`,
    ...(o.bindRo ?? []).map(([h, g]) => `--bind-ro=${h}:${g}`),
    '--boot',
    // No first-boot wizard on an empty /etc; the host's enabled etcd must not take 2379 in here.
    'systemd.firstboot=no',
    'systemd.mask=etcd.service',
    ...(o.initArgs ?? []),
  ];
  const nspawn: ChildProcess = spawn('systemd-nspawn', args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const stop = async () => {
    if (nspawn.exitCode !== null || nspawn.signalCode !== null) return;
    nspawn.kill('SIGTERM'); // nspawn asks the container's systemd to power off
    const done = new Promise((r) => nspawn.once('exit', r));
    const t = setTimeout(() => nspawn.kill('SIGKILL'), 20_000);
    await done;
    clearTimeout(t);
  };
  try {
    const leader = await waitFor('the container\'s systemd (nspawn child)', 30_000, async () => {
      if (nspawn.exitCode !== null) throw new Error(`systemd-nspawn exited with ${nspawn.exitCode}; see ${o.consoleLog}`);
      const r = await execa('pgrep', ['-P', String(nspawn.pid)], { reject: false });
      return r.stdout.trim() ? Number(r.stdout.trim().split('\n')[0]) : undefined;
    }, 200);
    const exec = async (cmd: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<ExecResult> => {
      const r = await execa('nsenter', ['-t', String(leader), '-a', 'env', '-i', 'PATH=/opt/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`), ...cmd], {
        reject: false,
        timeout: opts.timeoutMs ?? 120_000,
      });
      return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
    };
    await waitFor('the container to finish booting', 120_000, async () => {
      const r = await exec(['systemctl', 'is-system-running']);
      return ['running', 'degraded'].includes(r.stdout.trim()) ? true : undefined;
    }, 500);
    return { leader, exec, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
