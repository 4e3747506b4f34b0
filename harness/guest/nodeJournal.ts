import { FileFollower } from './fileFollower.ts';
import { formatJournalEntry, parseJournalLine, type JournalEntry } from './journalEntry.ts';

export interface JournalLine {
  at: number;
  boot: number;
  entry: JournalEntry;
}

/**
 * One node's journal stream across boots: the lab OS writes its journal as JSON to a virtio-serial
 * port, QEMU to a file per boot, and this follows the current boot's file (the previous
 * one is read to its end first). A machine without the stream (a real Flatcar image) just
 * yields nothing. All boots are kept, for the report.
 */
export class NodeJournal {
  readonly #byBoot = new Map<number, JournalLine[]>();
  readonly #listeners = new Set<(l: JournalLine) => void>();
  #follower: FileFollower | undefined;
  #boot = 0;

  constructor(readonly node: string) {}

  async follow(path: string, boot: number): Promise<void> {
    await this.#follower?.stop();
    this.#boot = boot;
    this.#follower = new FileFollower(path, (text) => this.push(text)).start();
  }

  async poll(): Promise<void> {
    await this.#follower?.poll();
  }

  async stop(): Promise<void> {
    await this.#follower?.stop();
    this.#follower = undefined;
  }

  /** Feeds one line of the stream (the follower calls this; tests may too). */
  push(text: string, at = Date.now(), boot = this.#boot): void {
    const entry = parseJournalLine(text);
    if (!entry) return;
    const line = { at, boot, entry };
    const lines = this.#byBoot.get(boot) ?? [];
    lines.push(line);
    this.#byBoot.set(boot, lines);
    for (const l of this.#listeners) l(line);
  }

  subscribe(listener: (l: JournalLine) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The first entry (from boot `sinceBoot` on) whose message matches. */
  find(pattern: RegExp, sinceBoot = 0): JournalLine | undefined {
    for (const boot of this.boots()) {
      if (boot < sinceBoot) continue;
      const hit = this.#byBoot.get(boot)!.find((l) => pattern.test(l.entry.message));
      if (hit) return hit;
    }
    return undefined;
  }

  boots(): number[] {
    return [...this.#byBoot.keys()].sort((a, b) => a - b);
  }

  /** A boot's journal as a person reads it: `identifier[pid]: message`, one entry a line. */
  text(boot: number): string {
    return (this.#byBoot.get(boot) ?? []).map((l) => formatJournalEntry(l.entry)).join('\n') + '\n';
  }
}
