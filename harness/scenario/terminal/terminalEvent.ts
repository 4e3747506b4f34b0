/**
 * A terminal event: something after which a node cannot reach its goal in this boot (a flow
 * unit failed for good, a tool printed its fatal line, a bad console line, a machine that cannot
 * boot). It ends the wait for that node at once; the run's first one is its cause.
 */
export interface TerminalEvent {
  node: string;
  boot: number;
  /** Milliseconds since the epoch. */
  at: number;
  /** The unit the event is about, when there is one. */
  unit?: string;
  /** What happened, short: "failed", "hit its start limit", "kernel panic on the console". */
  reason: string;
  /** The tool's own lines (install.sh's `[ERROR]` and the hint lines after it), else the context. */
  lines: string[];
  /** Where the lab saw it: the journal stream, the serial console, the machine itself. */
  source: 'journal' | 'console' | 'vm';
}

/** `node-1 boot 2: k3s-install.service failed: [ERROR]  Failed to find …` — the one line a person reads first. */
export function headline(e: TerminalEvent): string {
  const what = e.unit ? `${e.unit} ${e.reason}` : e.reason;
  return `${e.node} boot ${e.boot}: ${what}${e.lines[0] ? `: ${e.lines[0].trim()}` : ''}`;
}

/** The headline and the lines after the first, indented: for the terminal, JUnit and the report. */
export function describe(e: TerminalEvent): string {
  return [headline(e), ...e.lines.slice(1).map((l) => `  | ${l}`)].join('\n');
}
