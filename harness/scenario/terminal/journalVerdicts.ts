import type { JournalEntry } from '../../guest/journalEntry.ts';
import { policyOf, type FlowUnits } from './flowUnits.ts';
import type { TerminalEvent } from './terminalEvent.ts';
import { fatalKey, matchStuckRetry, matchToolFatal } from './toolFatal.ts';

/**
 * A restarting unit that died this many times in a row with the same fatal line has given up in
 * effect. The figure is systemd's own default StartLimitBurst (5), which install.sh's
 * RestartSec=5s keeps systemd from ever applying (see flowUnits.ts).
 */
export const crashLoopStarts = 5;
/** journald takes a unit's last output lines and PID 1's failure message on separate sockets. */
export const settleMs = 500;
/** A fatal line with no unit failure after it this long still ends the node (a tool that hangs after it). */
export const fatalWithoutExitMs = 3_000;
/** Hint lines quoted after a tool's fatal line (install.sh's policy hint is three). */
const linesAfterFatal = 6;
const keptLinesPerUnit = 400;

interface BootState {
  output: Map<string, string[]>;
  /** Per restarting unit: the fatal line of each failed start since it last started fine. */
  failedStarts: Map<string, string[]>;
  lastFatal: Map<string, string>;
  /** Per unit: how often it printed a stuck retry's line. */
  stuckRetries: Map<string, number>;
  ended: Set<string>;
  fatalTimers: Map<string, NodeJS.Timeout>;
}

/**
 * Reads one node's journal stream and says when a unit of the flow has failed for good: a unit
 * systemd does not restart failed (or its tool printed its fatal line), a unit hit its start
 * limit, or a restarting unit keeps dying with the same fatal line. Each event quotes the unit's
 * own lines: the tool's fatal line and what follows it.
 */
export class JournalVerdicts {
  readonly #boots = new Map<number, BootState>();
  #stopped = false;

  constructor(
    readonly node: string,
    readonly units: FlowUnits,
    readonly emit: (e: TerminalEvent) => void,
  ) {}

  stop(): void {
    this.#stopped = true;
    for (const s of this.#boots.values()) for (const t of s.fatalTimers.values()) clearTimeout(t);
  }

  feed(entry: JournalEntry, boot: number, at = Date.now()): void {
    const s = this.#state(boot);
    const fromPid1 = entry.pid === 1 || entry.identifier === 'systemd';
    if (!fromPid1 && entry.sourceUnit) {
      this.#output(s, entry.sourceUnit, entry.message, boot, at);
      return;
    }
    if (!fromPid1) return;
    const unit = entry.aboutUnit ?? /^([\w@.\\:-]+\.service): /.exec(entry.message)?.[1];
    if (!unit) return;
    const policy = policyOf(this.units, unit);
    if (!policy) return;
    const text = entry.message.replace(/^[\w@.\\:-]+\.service: /, '');
    if (/Start request repeated too quickly|Failed with result 'start-limit-hit'/.test(text)) {
      this.#end(s, unit, boot, at, 'hit its start limit', text);
      return;
    }
    const failed = /^Failed with result '([^']+)'/.exec(text);
    const startFailed = entry.jobResult === 'failed' || /^Failed to start /.test(text);
    if (!failed && !startFailed) {
      if (policy.restarts && /^Started /.test(text)) s.failedStarts.delete(unit);
      return;
    }
    if (!policy.restarts) {
      const result = failed?.[1];
      this.#end(s, unit, boot, at, result && result !== 'exit-code' ? `failed (${result})` : 'failed', text);
      return;
    }
    if (!failed) return;
    // A restarting unit: one more failed start; terminal only when the last few died alike.
    const starts = s.failedStarts.get(unit) ?? [];
    starts.push(s.lastFatal.get(unit) ?? '');
    s.lastFatal.delete(unit);
    s.failedStarts.set(unit, starts);
    const last = starts.slice(-crashLoopStarts);
    if (last.length === crashLoopStarts && last[0] && last.every((f) => f === last[0])) {
      this.#end(s, unit, boot, at, `keeps failing: ${crashLoopStarts} starts in a row ended with the same fatal line`, text);
    }
  }

  #output(s: BootState, unit: string, message: string, boot: number, at: number): void {
    const lines = s.output.get(unit) ?? [];
    lines.push(message);
    if (lines.length > keptLinesPerUnit) lines.splice(0, lines.length - keptLinesPerUnit);
    s.output.set(unit, lines);
    const policy = policyOf(this.units, unit);
    if (!policy) return;
    const stuck = matchStuckRetry(message);
    if (stuck) {
      const seen = (s.stuckRetries.get(unit) ?? 0) + 1;
      s.stuckRetries.set(unit, seen);
      if (seen === stuck.repeats) this.#end(s, unit, boot, at, `retries for ever (${seen}× so far): ${stuck.why}`, message, [message.replace(/\s+$/, '')]);
      return;
    }
    if (!matchToolFatal(message)) return;
    if (policy.restarts) {
      s.lastFatal.set(unit, fatalKey(message));
      return;
    }
    // A oneshot's tool printed its fatal line: its unit failing follows at once, normally.
    if (!s.fatalTimers.has(unit)) {
      const timer = setTimeout(() => this.#end(s, unit, boot, at, 'printed its fatal line', message), fatalWithoutExitMs);
      timer.unref();
      s.fatalTimers.set(unit, timer);
    }
  }

  #end(s: BootState, unit: string, boot: number, at: number, reason: string, systemdLine: string, quoted?: string[]): void {
    if (s.ended.has(unit) || this.#stopped) return;
    s.ended.add(unit);
    clearTimeout(s.fatalTimers.get(unit));
    // The unit's last lines may still be on their way through journald.
    setTimeout(() => {
      if (this.#stopped) return;
      const lines = quoted ?? causeLines(s.output.get(unit) ?? [], systemdLine);
      this.emit({ node: this.node, boot, at, unit, reason, lines: [...delegatedCause(lines, s.output), ...lines], source: 'journal' });
    }, settleMs).unref();
  }

  #state(boot: number): BootState {
    let s = this.#boots.get(boot);
    if (!s) {
      s = { output: new Map(), failedStarts: new Map(), lastFatal: new Map(), stuckRetries: new Map(), ended: new Set(), fatalTimers: new Map() };
      this.#boots.set(boot, s);
    }
    return s;
  }
}

/**
 * What a cause quotes of a unit: the tool's first fatal line and the lines after it (install.sh
 * follows its "[ERROR] … please install:" with the commands to run), else the unit's last line
 * and the few before it, else systemd's own line.
 */
export function causeLines(output: readonly string[], systemdLine: string): string[] {
  // The last start's fatal line: a restarting unit printed one per start.
  let first = -1;
  for (let i = output.length - 1; i >= 0; i--) {
    if (matchToolFatal(output[i]!)) first = i;
    else if (first >= 0 && !matchToolFatal(output[i]!)) break;
  }
  if (first >= 0) {
    const after = output.slice(first + 1, first + 1 + linesAfterFatal);
    const end = after.findIndex((l) => /^\[(INFO|WARN)\]/.test(l));
    return [output[first]!, ...(end >= 0 ? after.slice(0, end) : after)].map((l) => l.replace(/\s+$/, ''));
  }
  // No fatal line: a `set -e` script stops at the failing command, whose own message is the
  // unit's last line (`mv: … Read-only file system`). That line leads; the lines before it follow.
  const tail = output.slice(-5).map((l) => l.replace(/\s+$/, ''));
  return tail.length ? [tail.at(-1)!, ...tail.slice(0, -1), systemdLine] : [systemdLine];
}

/**
 * A unit that failed because a unit it started failed (install.sh's `systemctl restart k3s` says
 * "Job for k3s.service failed because …") quotes that unit's own fatal line too, named by its
 * unit, first: the cause is k3s's error, not the installer's echo of it.
 */
export function delegatedCause(lines: readonly string[], output: ReadonlyMap<string, readonly string[]>): string[] {
  const started = lines.map((l) => /\bJob for ([\w@.\\:-]+\.service) failed\b/.exec(l)?.[1]).find(Boolean);
  const theirs = started ? output.get(started) : undefined;
  if (!started || !theirs) return [];
  const fatal = [...theirs].reverse().find((l) => matchToolFatal(l));
  return fatal ? [`${started}: ${fatal.replace(/\s+$/, '')}`] : [];
}
