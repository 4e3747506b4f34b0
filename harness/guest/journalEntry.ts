/**
 * One journal entry as the lab OS streams it on its virtio-serial port lab.journal (`journalctl -o json`,
 * see images/lab-os/overlay/usr/lib/systemd/system/lab-journal-serial.service).
 */
export interface JournalEntry {
  message: string;
  /** The unit whose process wrote the line (_SYSTEMD_UNIT). */
  sourceUnit?: string;
  /** The unit a message of systemd's is about (UNIT, set by PID 1 on its unit messages). */
  aboutUnit?: string;
  identifier?: string;
  pid?: number;
  priority?: number;
  /** Set on systemd's job-finished messages ("Failed to start …": failed). */
  jobResult?: string;
}

/** journalctl writes a message that is not valid UTF-8 as an array of byte values. */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((b) => typeof b === 'number')) return Buffer.from(value as number[]).toString('utf8');
  return undefined;
}

/** One line of the stream → an entry; anything else on the port (a torn line, noise) → undefined. */
export function parseJournalLine(line: string): JournalEntry | undefined {
  const start = line.indexOf('{');
  if (start < 0) return undefined;
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(line.slice(start)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const message = text(raw.MESSAGE);
  if (message === undefined) return undefined;
  const num = (v: unknown): number | undefined => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);
  const str = (v: unknown): string | undefined => text(v) || undefined;
  const entry: JournalEntry = { message };
  const fields: [keyof JournalEntry, unknown][] = [
    ['sourceUnit', str(raw._SYSTEMD_UNIT)],
    ['aboutUnit', str(raw.UNIT)],
    ['identifier', str(raw.SYSLOG_IDENTIFIER)],
    ['pid', num(raw._PID)],
    ['priority', num(raw.PRIORITY)],
    ['jobResult', str(raw.JOB_RESULT)],
  ];
  for (const [k, v] of fields) if (v !== undefined) (entry as unknown as Record<string, unknown>)[k] = v;
  return entry;
}

/** The line as a person reads it in a journal: `identifier[pid]: message`. */
export function formatJournalEntry(e: JournalEntry): string {
  const who = e.identifier ?? e.sourceUnit ?? '?';
  return `${who}${e.pid !== undefined ? `[${e.pid}]` : ''}: ${e.message}`;
}
