/**
 * sd_notify READY=1 for Type=notify units. Node has no unix datagram sockets, so the double asks systemd's
 * own client: `systemd-notify --ready --pid=<our pid>`. As root it may send credentials naming our pid,
 * which is what systemd checks under NotifyAccess=main (the default for Type=notify).
 */
import { execFile } from 'node:child_process';
import { log } from './log.ts';

export function notifyReady(status: string): Promise<void> {
  if (!process.env.NOTIFY_SOCKET) return Promise.resolve();
  const bin = process.env.K3S_DOUBLE_SYSTEMD_NOTIFY ?? 'systemd-notify';
  return new Promise((resolve) => {
    execFile(bin, ['--ready', `--pid=${process.pid}`, `--status=${status}`], (err, _out, stderr) => {
      if (err) log('error', `Failed to notify systemd of readiness via ${bin}: ${(stderr || err.message).trim()}`);
      else log('info', 'Notified systemd: READY=1');
      resolve();
    });
  });
}
