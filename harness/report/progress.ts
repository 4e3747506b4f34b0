import type { PhaseTracker } from '../scenario/phaseTracker.ts';
import { formatMs } from '../scenario/waits.ts';

export interface ProgressOut {
  write(text: string): void;
  isTTY?: boolean;
}

/**
 * Live progress in the terminal: one line per node with its phase and the time since the run
 * started. On a TTY the block is redrawn in place every second; elsewhere (CI logs, pipes) a
 * plain line is printed each time a node reaches a phase, plus the step names.
 */
export class Progress {
  readonly #out: ProgressOut;
  readonly #tracker: PhaseTracker;
  readonly #start: number;
  readonly #tty: boolean;
  #drawn = 0;
  #timer: NodeJS.Timeout | undefined;
  #status = new Map<string, string>();
  #unsubscribe: () => void;
  #now: () => number;

  constructor(tracker: PhaseTracker, out: ProgressOut, opts: { start?: number; now?: () => number } = {}) {
    this.#tracker = tracker;
    this.#out = out;
    this.#now = opts.now ?? Date.now;
    this.#start = opts.start ?? this.#now();
    this.#tty = Boolean(out.isTTY);
    this.#unsubscribe = tracker.subscribe((node, mark) => {
      if (this.#tty) this.redraw();
      else this.#line(`${node} → ${mark.phase} (${mark.evidence})`, mark.at);
    });
    if (this.#tty) {
      this.#timer = setInterval(() => this.redraw(), 1000);
      this.#timer.unref();
    }
  }

  /** A run-level line: a step starting, a node failing. */
  note(text: string): void {
    if (this.#tty) {
      this.#clear();
      this.#out.write(`${this.#stamp(this.#now())} ${text}\n`);
      this.redraw();
    } else {
      this.#line(text, this.#now());
    }
  }

  /** Extra words after a node's phase (e.g. "boot 3", "FAILED: kernel panic"). */
  setStatus(node: string, text: string): void {
    this.#status.set(node, text);
    if (this.#tty) this.redraw();
  }

  /** The block of per-node lines as it is drawn now. */
  lines(): string[] {
    const nodes = this.#tracker.nodes();
    const width = Math.max(...nodes.map((n) => n.length), 4);
    const elapsed = formatMs(this.#now() - this.#start);
    return nodes.map((n) => {
      const phase = this.#tracker.phaseOf(n) ?? 'waiting';
      const status = this.#status.get(n);
      return `  ${n.padEnd(width)}  ${phase.padEnd(11)}  ${elapsed}${status ? `  ${status}` : ''}`;
    });
  }

  redraw(): void {
    if (!this.#tty) return;
    this.#clear();
    const lines = this.lines();
    this.#out.write(lines.map((l) => `${l}\x1b[K\n`).join(''));
    this.#drawn = lines.length;
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#unsubscribe();
    if (this.#tty) this.redraw();
    this.#drawn = 0;
  }

  #clear(): void {
    if (this.#drawn > 0) this.#out.write(`\x1b[${this.#drawn}A\x1b[J`);
    this.#drawn = 0;
  }

  #stamp(at: number): string {
    return `[${formatMs(Math.max(0, at - this.#start)).padStart(11)}]`;
  }

  #line(text: string, at: number): void {
    this.#out.write(`${this.#stamp(at)} ${text}\n`);
  }
}
