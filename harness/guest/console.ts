import { matchBadConsole } from './badConsole.ts';
import { FileFollower } from './fileFollower.ts';

export interface ConsoleLine {
  at: number;
  boot: number;
  text: string;
}

export interface ConsoleFailure {
  /** Which bad-console pattern matched, e.g. "kernel panic". */
  reason: string;
  boot: number;
  /** The matching line and what followed it on the console. */
  lines: string[];
}

export type ConsoleListener = (line: ConsoleLine) => void;

const keptLines = 2000;
/** Lines quoted after a bad line: a panic's reason and first frames come right after it. */
const contextAfter = 8;

/**
 * One node's serial console across boots: follows the log file QEMU writes for the current
 * boot, keeps recent lines for timeouts and reports, lets waits watch for a pattern, and fails
 * the node at once on a bad-console line.
 */
export class NodeConsole {
  readonly node: string;
  #lines: ConsoleLine[] = [];
  #listeners = new Set<ConsoleListener>();
  #follower: FileFollower | undefined;
  #boot = 0;
  #failure: ConsoleFailure | undefined;
  #pendingFailure: ConsoleFailure | undefined;
  #failureListeners = new Set<(f: ConsoleFailure) => void>();

  constructor(node: string) {
    this.node = node;
  }

  get boot(): number {
    return this.#boot;
  }

  get failure(): ConsoleFailure | undefined {
    return this.#failure;
  }

  /** Starts following `path` as boot number `boot` (the previous boot's file is read to its end first). */
  async follow(path: string, boot: number): Promise<void> {
    await this.#follower?.stop();
    this.#boot = boot;
    this.#follower = new FileFollower(path, (text) => this.push(text)).start();
  }

  async stop(): Promise<void> {
    await this.#follower?.stop();
    this.#follower = undefined;
    this.#settleFailure();
  }

  /** Reads what is new in the file right now. */
  async poll(): Promise<void> {
    await this.#follower?.poll();
  }

  /** Feeds one line (the follower calls this; tests may too). */
  push(text: string, at = Date.now()): void {
    const line: ConsoleLine = { at, boot: this.#boot, text };
    this.#lines.push(line);
    if (this.#lines.length > keptLines) this.#lines.splice(0, this.#lines.length - keptLines);
    for (const listener of this.#listeners) listener(line);
    this.#checkBad(line);
  }

  #checkBad(line: ConsoleLine): void {
    if (this.#failure) return;
    if (this.#pendingFailure) {
      this.#pendingFailure.lines.push(line.text);
      if (this.#pendingFailure.lines.length > contextAfter) this.#settleFailure();
      return;
    }
    const bad = matchBadConsole(line.text);
    if (!bad) return;
    this.#pendingFailure = { reason: bad.name, boot: line.boot, lines: [line.text] };
    // Give the following lines a moment to arrive so the quote carries the reason, then fail.
    setTimeout(() => this.#settleFailure(), 300).unref();
  }

  #settleFailure(): void {
    if (this.#failure || !this.#pendingFailure) return;
    this.#failure = this.#pendingFailure;
    this.#pendingFailure = undefined;
    for (const listener of this.#failureListeners) listener(this.#failure);
  }

  onFailure(listener: (f: ConsoleFailure) => void): () => void {
    this.#failureListeners.add(listener);
    if (this.#failure) listener(this.#failure);
    return () => this.#failureListeners.delete(listener);
  }

  subscribe(listener: ConsoleListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  lines(): readonly ConsoleLine[] {
    return this.#lines;
  }

  /** The last `n` lines of text, prefixed by boot when the tail spans several boots. */
  tail(n = 30): string[] {
    return this.#lines.slice(-n).map((l) => l.text);
  }

  /** The first line (this boot or, with `anyBoot`, any boot) matching `pattern` seen so far. */
  find(pattern: RegExp, opts: { boot?: number } = {}): ConsoleLine | undefined {
    return this.#lines.find((l) => (opts.boot === undefined || l.boot === opts.boot) && pattern.test(l.text));
  }
}
