import type { ConsoleLine } from '../../guest/console.ts';
import type { Observation } from '../observations.ts';
import type { Phase } from '../phases.ts';

interface ConsoleSignal {
  phase: Phase;
  /** PXE boot (1) or a disk boot (2+). */
  boots: 'pxe' | 'disk';
  pattern: RegExp;
}

/**
 * Console lines that prove a phase. systemd's status lines ("Starting x.service", "Started …",
 * "Reached target …") and Ignition's and flatcar-install's own words are what both Flatcar and
 * the lab OS print on ttyS0.
 */
const signals: readonly ConsoleSignal[] = [
  { phase: 'live', boots: 'pxe', pattern: /Reached target .*Multi-User System|Started installer\.service|Starting installer\.service/ },
  { phase: 'installing', boots: 'pxe', pattern: /flatcar-install|Downloading, writing and verifying|Starting installer\.service|Started installer\.service/ },
  { phase: 'first-boot', boots: 'disk', pattern: /Ignition finished successfully|Reached target .*Ignition Complete|ignition\[\d+\]: files: .*finished/i },
  { phase: 'k3s-install', boots: 'disk', pattern: /Start(ing|ed) k3s-install\.service/ },
  { phase: 'k3s-ready', boots: 'disk', pattern: /Started k3s\.service/ },
];

/**
 * A console line → one observation per phase it proves. "Starting installer.service" proves
 * both live and installing, at the same moment, which is what happened.
 */
export function consoleObservations(node: string, line: ConsoleLine, diskBoot = line.boot > 1): Observation[] {
  // A boot is a disk boot when it started after the install; a node whose PXE boot failed and
  // restarted is still in PXE, whatever its boot number.
  const stage = diskBoot ? 'disk' : 'pxe';
  return signals
    .filter((s) => s.boots === stage && s.pattern.test(line.text))
    .map((s) => ({ at: line.at, node, source: 'console' as const, kind: 'console-line', detail: line.text.trim().slice(0, 200), phase: s.phase, boot: line.boot }));
}
