import type { TerminalEvent } from './terminalEvent.ts';

/**
 * The console's `[FAILED] Failed to start x.service` comes about when the journal stream says the
 * same with the unit's own lines; the console's word waits this long for the journal's.
 */
export const consoleGraceMs = 2_000;

/**
 * Every terminal event of the run, in the order they became final. A node's first one ends the
 * waits on that node; the run's first one is its cause. One event per node, boot and unit: the
 * journal's account of a unit failure replaces the console's, which quotes less.
 */
export class TerminalEvents {
  readonly #events: TerminalEvent[] = [];
  readonly #pending = new Map<string, { event: TerminalEvent; timer: NodeJS.Timeout }>();
  readonly #seen = new Set<string>();
  readonly #listeners = new Set<(e: TerminalEvent) => void>();

  report(e: TerminalEvent): void {
    const key = `${e.node}/${e.boot}/${e.unit ?? e.reason}`;
    if (this.#seen.has(key)) return;
    if (e.source === 'console' && e.unit) {
      if (this.#pending.has(key)) return;
      const timer = setTimeout(() => {
        this.#pending.delete(key);
        this.#final(key, e);
      }, consoleGraceMs);
      timer.unref();
      this.#pending.set(key, { event: e, timer });
      return;
    }
    const waiting = this.#pending.get(key);
    if (waiting) {
      clearTimeout(waiting.timer);
      this.#pending.delete(key);
    }
    this.#final(key, e);
  }

  #final(key: string, e: TerminalEvent): void {
    this.#seen.add(key);
    this.#events.push(e);
    for (const l of this.#listeners) l(e);
  }

  /**
   * The node's first terminal event (in `boot`, when given: an event ends the node's goal for that
   * boot, and a later boot — after a power cycle — starts with a clean slate).
   */
  of(node: string, boot?: number): TerminalEvent | undefined {
    return this.#events.find((e) => e.node === node && (boot === undefined || e.boot === boot));
  }

  /** The run's cause: its first terminal event. */
  first(): TerminalEvent | undefined {
    return this.#events[0];
  }

  all(): readonly TerminalEvent[] {
    return this.#events;
  }

  subscribe(listener: (e: TerminalEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Reports the console events still waiting for the journal (the run is ending). */
  flush(): void {
    for (const [key, { event, timer }] of this.#pending) {
      clearTimeout(timer);
      this.#final(key, event);
    }
    this.#pending.clear();
  }
}

