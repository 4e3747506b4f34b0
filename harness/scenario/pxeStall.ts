import type { NodeConsole } from '../guest/console.ts';
import type { ObservationLog } from './observations.ts';
import type { PhaseTracker } from './phaseTracker.ts';
import type { SupervisedMachine } from './supervisor.ts';
import type { TerminalEvent } from './terminal/terminalEvent.ts';
import { formatMs } from './waits.ts';

export interface PxeStallWatchOptions {
  machines: Map<string, SupervisedMachine>;
  consoles: Map<string, NodeConsole>;
  log: ObservationLog;
  tracker: PhaseTracker;
  /** How long a PXE boot may show no sign of life before it counts as stalled (already scaled). */
  silenceMs: number;
  /** Resets per node; a stall after the last one is the node's terminal event. */
  maxResets: number;
  note(text: string): void;
  terminal(e: TerminalEvent): void;
}

/**
 * Resets a node whose PXE boot stalled before the live system ran. Firmware and bootloaders
 * stall now and then and wait forever (lpxelinux.0's own TCP stack did, in up to 2 of 3 initrd
 * downloads under TCG: the reason the lab loads pxelinux.0, see pxelinux.ts). A person at a real
 * rack power-cycles such a machine; the harness does the same, says so in the observations, and
 * after a few tries names the stall as the node's terminal event rather than wait out the phase.
 * Stalled means: the mirror saw the node's download stop moving (at once), or silence — no
 * console line, and no DHCP, TFTP or HTTP event from the node's address.
 */
export function watchPxeStalls(opts: PxeStallWatchOptions): () => void {
  const resets = new Map<string, number>();
  const timer = setInterval(() => {
    const now = Date.now();
    for (const [node, machine] of opts.machines) {
      const boot = machine.bootLogs.at(-1);
      if (!boot || !machine.running() || boot.fromDisk || opts.tracker.reached(node, 'live')) continue;
      const thisBoot = opts.log.forNode(node).filter((o) => o.at >= boot.at && o.kind !== 'pxe-stall');
      const stalledDownload = thisBoot.filter((o) => o.kind === 'http-stalled').at(-1);
      const lastObservation = thisBoot.filter((o) => o.kind !== 'http-stalled').at(-1);
      const lastLine = opts.consoles.get(node)?.lines().at(-1);
      const lastAt = Math.max(boot.at, lastObservation?.at ?? 0, lastLine && lastLine.boot === boot.boot ? lastLine.at : 0);
      if (!stalledDownload && now - lastAt < opts.silenceMs) continue;
      const done = resets.get(node) ?? 0;
      if (done > opts.maxResets) continue;
      resets.set(node, done + 1);
      const since = lastObservation && lastObservation.at === lastAt ? `since "${lastObservation.detail}"` : `since boot ${boot.boot} started`;
      const why = stalledDownload
        ? `the mirror says: ${stalledDownload.detail}`
        : `no console output and no DHCP/TFTP/HTTP event for ${formatMs(now - lastAt)} ${since}`;
      if (done === opts.maxResets) {
        opts.terminal({ node, boot: boot.boot, at: now, reason: `PXE boot stalled ${done + 1} times`, lines: [why], source: 'vm' });
        continue;
      }
      const detail = `boot ${boot.boot}: PXE boot stalled — ${why}; resetting (${done + 1} of ${opts.maxResets})`;
      opts.log.add({ at: now, node, source: 'vm', kind: 'pxe-stall', detail, boot: boot.boot });
      opts.note(`${node}: ${detail}`);
      void machine.reset(`${pxeStallResetHow} (${done + 1} of ${opts.maxResets})`);
    }
  }, Math.min(5_000, Math.max(50, opts.silenceMs / 4)));
  timer.unref();
  return () => clearInterval(timer);
}

/** How a boot that the stall watcher started is named in the run's boots (`how`), for readers of result.json. */
export const pxeStallResetHow = 'reset after a PXE stall';
