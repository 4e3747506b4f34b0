import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';

/**
 * Faults of the mirror a scenario asks for: the next `count` requests for a path (a prefix) answer
 * 404 or 503, or stall (no answer at all; the client's own timeout ends it). The harness writes
 * the rules to a file in the run directory; the mirror re-reads it when it changes, so a fault
 * starts within one request and needs no control socket. A rule is identified by its id; its
 * count is spent by the mirror process, which alone sees the requests.
 */
export interface MirrorFaultRule {
  id: string;
  /** Matches a request whose path starts with this. */
  path: string;
  action: 404 | 503 | 'stall';
  /** How many matching requests it takes; then the path is served again. */
  count: number;
}

export function writeMirrorFaults(file: string, rules: readonly MirrorFaultRule[]): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(rules) + '\n');
  renameSync(tmp, file);
}

/** The mirror's side: which fault (if any) a request meets now. */
export class MirrorFaults {
  /** Each write is a rename, so a new inode: the key changes even within one mtime tick. */
  #version = '';
  #rules: MirrorFaultRule[] = [];
  readonly #spent = new Map<string, number>();

  constructor(readonly file: string | undefined) {}

  #load(): void {
    if (!this.file) return;
    let version: string;
    try {
      const st = statSync(this.file);
      version = `${st.ino}:${st.mtimeMs}`;
    } catch {
      this.#rules = [];
      return;
    }
    if (version === this.#version) return;
    this.#version = version;
    try {
      const rules = JSON.parse(readFileSync(this.file, 'utf8')) as MirrorFaultRule[];
      this.#rules = Array.isArray(rules) ? rules : [];
    } catch {
      // A half-written file cannot happen (rename); a broken one leaves the rules as they were.
    }
  }

  /** The fault this request meets, spending one of its count; undefined: serve as usual. */
  take(path: string): MirrorFaultRule | undefined {
    this.#load();
    for (const r of this.#rules) {
      const spent = this.#spent.get(r.id) ?? 0;
      if (spent >= r.count || !path.startsWith(r.path)) continue;
      this.#spent.set(r.id, spent + 1);
      return r;
    }
    return undefined;
  }
}
