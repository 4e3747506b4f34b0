import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateRoot } from '../paths.ts';
import type { AccelChoice } from './accel.ts';

/**
 * The KVM probe's answer, kept for the rest of the host's boot: whether guests run under KVM
 * depends on the host's kernel, CPU and QEMU, none of which change until the host reboots or QEMU
 * is upgraded. The memo lives in the state root (under /run for root, so a reboot clears it) and
 * names the boot (boot_id) and the QEMU binary (size, mtime) it was measured with; it saves
 * every later run the probe's seconds.
 */
const memoFile = (root: string) => join(root, 'kvm-probe.json');

interface Memo {
  key: string;
  choice: AccelChoice;
  measuredAt: string;
}

function hostKey(qemuPath: string): string | undefined {
  try {
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const st = statSync(qemuPath);
    return `${bootId} ${qemuPath} ${st.size} ${st.mtimeMs}`;
  } catch {
    return undefined;
  }
}

export function recalledAccel(qemuPath: string, root = stateRoot()): (AccelChoice & { measuredAt: string }) | undefined {
  const key = hostKey(qemuPath);
  if (!key) return undefined;
  try {
    const memo = JSON.parse(readFileSync(memoFile(root), 'utf8')) as Memo;
    return memo.key === key ? { ...memo.choice, measuredAt: memo.measuredAt } : undefined;
  } catch {
    return undefined;
  }
}

export function rememberAccel(qemuPath: string, choice: AccelChoice, root = stateRoot()): void {
  const key = hostKey(qemuPath);
  if (!key) return;
  try {
    mkdirSync(root, { recursive: true, mode: 0o700 });
    const tmp = `${memoFile(root)}.${process.pid}`;
    writeFileSync(tmp, `${JSON.stringify({ key, choice, measuredAt: new Date().toISOString() } satisfies Memo, null, 2)}\n`);
    renameSync(tmp, memoFile(root));
  } catch {
    // Not remembered: the next run probes again.
  }
}
