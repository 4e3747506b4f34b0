import type { ConsoleFailure } from '../../guest/console.ts';
import { policyOf, type FlowUnits } from './flowUnits.ts';
import type { TerminalEvent } from './terminalEvent.ts';

/**
 * systemd's status line for a failed start, as Flatcar and the lab OS print it on the console
 * (systemd ≥ 249 names the unit before its description). It is the only word of a unit failure
 * a machine without the journal stream gives.
 */
const failedStart = /\[FAILED\] Failed to start (\S+\.service)\b/;

/** A console line → a terminal event when it says a non-restarting flow unit failed. */
export function consoleUnitFailure(node: string, boot: number, text: string, units: FlowUnits, at = Date.now()): TerminalEvent | undefined {
  const unit = failedStart.exec(text)?.[1];
  if (!unit) return undefined;
  const policy = policyOf(units, unit);
  if (!policy || policy.restarts) return undefined;
  return { node, boot, at, unit, reason: 'failed', lines: [text.trim()], source: 'console' };
}

/** A bad console line (panic, emergency shell, Ignition failed) as a terminal event. */
export function badConsoleEvent(node: string, f: ConsoleFailure, at = Date.now()): TerminalEvent {
  return { node, boot: f.boot, at, reason: `${f.reason} on the console`, lines: f.lines, source: 'console' };
}
