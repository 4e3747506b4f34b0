import { open, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

export type LineListener = (line: string) => void;

/** Serial consoles write colour codes and CR LF; a person and a pattern both want the plain text. */
export function cleanLine(raw: string): string {
  return raw
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/\x1b[()][A-Za-z0-9]/g, '')
    .replace(/[\r\x00]/g, '')
    .replace(/[\x01-\x08\x0b-\x1f\x7f]/g, '');
}

/**
 * Follows a file another process appends to (a QEMU serial log, dnsmasq's or the mirror's log)
 * and hands over each complete line once. Polling, not fs.watch: the writer may be in another
 * mount or network namespace and inotify on such files is unreliable; 200 ms is far below any
 * phase we time. A file that shrinks was recreated (a new boot): following starts over.
 */
export class FileFollower {
  readonly #path: string;
  readonly #onLine: LineListener;
  readonly #intervalMs: number;
  #offset = 0;
  #partial = '';
  // Keeps a UTF-8 sequence that straddles two reads whole.
  #decoder = new StringDecoder('utf8');
  #timer: NodeJS.Timeout | undefined;
  #reading: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(path: string, onLine: LineListener, intervalMs = 200) {
    this.#path = path;
    this.#onLine = onLine;
    this.#intervalMs = intervalMs;
  }

  get path(): string {
    return this.#path;
  }

  start(): this {
    this.#timer = setInterval(() => void this.poll(), this.#intervalMs);
    this.#timer.unref();
    void this.poll();
    return this;
  }

  /** Reads whatever is new now; safe to call at any time (calls are serialised). */
  poll(): Promise<void> {
    this.#reading = this.#reading.then(() => this.#readNew()).catch(() => undefined);
    return this.#reading;
  }

  /** Reads the rest, emits a last unterminated line, and stops. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.poll();
    if (!this.#stopped && this.#partial) this.#emit(this.#partial);
    this.#partial = '';
    this.#stopped = true;
  }

  async #readNew(): Promise<void> {
    if (this.#stopped) return;
    let size: number;
    try {
      size = (await stat(this.#path)).size;
    } catch {
      return; // not created yet
    }
    if (size < this.#offset) {
      this.#offset = 0;
      this.#partial = '';
      this.#decoder = new StringDecoder('utf8');
    }
    if (size === this.#offset) return;
    const handle = await open(this.#path, 'r');
    try {
      const length = size - this.#offset;
      const buf = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buf, 0, length, this.#offset);
      this.#offset += bytesRead;
      const text = this.#partial + this.#decoder.write(buf.subarray(0, bytesRead));
      const lines = text.split('\n');
      this.#partial = lines.pop() ?? '';
      for (const line of lines) this.#emit(line);
    } finally {
      await handle.close();
    }
  }

  #emit(raw: string): void {
    this.#onLine(cleanLine(raw));
  }
}
