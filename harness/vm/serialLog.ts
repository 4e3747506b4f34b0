import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

/** Strips terminal colour/cursor sequences systemd and agetty write to the console. */
export function plainText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
}

/**
 * Follows a serial console log file that QEMU writes, line by line.
 * Waits are polls with a timeout whose error names what was awaited and shows the last lines.
 */
export class SerialLog {
  private offset = 0;
  private partial = '';
  readonly lines: string[] = [];

  constructor(readonly path: string) {}

  /** Reads whatever QEMU appended since the last call. */
  poll(): string[] {
    if (!existsSync(this.path)) return [];
    const size = statSync(this.path).size;
    if (size <= this.offset) return [];
    const fd = openSync(this.path, 'r');
    try {
      const buf = Buffer.alloc(size - this.offset);
      readSync(fd, buf, 0, buf.length, this.offset);
      this.offset = size;
      const text = this.partial + plainText(buf.toString('utf8'));
      const parts = text.split('\n');
      this.partial = parts.pop() ?? '';
      this.lines.push(...parts);
      return parts;
    } finally {
      closeSync(fd);
    }
  }

  /** Everything seen so far, including an unfinished last line. */
  text(): string {
    this.poll();
    return [...this.lines, this.partial].join('\n');
  }

  tail(n = 15): string {
    this.poll();
    return [...this.lines, this.partial].filter((l) => l.trim()).slice(-n).join('\n');
  }

  /** The first line (seen so far or later) matching re. */
  async waitFor(re: RegExp, opts: { timeoutMs: number; what: string; stopIf?: () => string | undefined }): Promise<RegExpExecArray> {
    const deadline = Date.now() + opts.timeoutMs;
    let checked = 0;
    for (;;) {
      this.poll();
      for (; checked < this.lines.length; checked++) {
        const m = re.exec(this.lines[checked]!);
        if (m) return m;
      }
      const stop = opts.stopIf?.();
      if (stop) throw new Error(`${opts.what}: ${stop} before it was seen; last console lines:\n${this.tail()}`);
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${Math.round(opts.timeoutMs / 1000)} s waiting for ${opts.what}; last console lines:\n${this.tail()}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
