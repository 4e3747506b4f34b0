/** Reading what `journalctl` printed on a node, for the assertions that look across boots. */

export interface JournalEntry {
  bootId: string;
  /** Microseconds since the epoch, as journald keeps it. */
  realtimeUs: number;
  message: string;
  /** The unit whose process wrote the message (_SYSTEMD_UNIT): a service's own output. */
  unit?: string;
  /** The unit systemd's message is about (UNIT): "Starting …", "… was skipped …". */
  aboutUnit?: string;
}

/** Boot ids, oldest first, from `journalctl --list-boots` (lines like ` -1 5b1c… Wed 2026-…`). */
export function parseListBoots(text: string): string[] {
  const boots: { idx: number; id: string }[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(-?\d+)\s+([0-9a-f]{32})\b/.exec(line);
    if (m) boots.push({ idx: Number(m[1]), id: m[2]! });
  }
  return boots.sort((a, b) => a.idx - b.idx).map((b) => b.id);
}

/** `journalctl -o json` output: one object per line; MESSAGE may be a byte array when not UTF-8. */
export function parseJournalJson(text: string): JournalEntry[] {
  const entries: JournalEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const raw = obj.MESSAGE;
    const message = typeof raw === 'string' ? raw : Array.isArray(raw) ? Buffer.from(raw as number[]).toString('utf8') : '';
    const unit = obj._SYSTEMD_UNIT;
    const aboutUnit = obj.UNIT;
    entries.push({
      bootId: String(obj._BOOT_ID ?? ''),
      realtimeUs: Number(obj.__REALTIME_TIMESTAMP ?? 0),
      message,
      ...(typeof unit === 'string' ? { unit } : {}),
      ...(typeof aboutUnit === 'string' ? { aboutUnit } : {}),
    });
  }
  return entries;
}

export type UnitBootOutcome = 'ran' | 'skipped' | 'absent';

const skippedByCondition = /skipped because (of )?an unmet condition|Condition check resulted in .* being skipped/i;
const lifecycle = /^(Starting|Started|Finished)\b/;

/**
 * What happened to a oneshot unit in one boot: `ran` when systemd started it or its process
 * printed anything, `skipped` when systemd logged the unmet Condition, `absent` when neither.
 */
export function unitOutcome(entries: JournalEntry[], unit: string): UnitBootOutcome {
  const name = unit.replace(/\.service$/, '');
  const ran = entries.some(
    (e) =>
      e.unit === unit ||
      (e.aboutUnit === unit && lifecycle.test(e.message)) ||
      new RegExp(`^(Starting|Started|Finished) ${name}\\b`).test(e.message),
  );
  if (ran) return 'ran';
  const skipped = entries.some((e) => (e.aboutUnit === unit || e.message.includes(name)) && skippedByCondition.test(e.message));
  return skipped ? 'skipped' : 'absent';
}

/** The unit's outcome per boot, in boot order (boots with no entry at all are `absent`). */
export function unitOutcomesByBoot(bootIds: string[], entries: JournalEntry[], unit: string): UnitBootOutcome[] {
  return bootIds.map((id) => unitOutcome(entries.filter((e) => e.bootId === id), unit));
}
