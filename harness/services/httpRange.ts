/** A byte range of a file, both ends inclusive, as HTTP's Range header counts them. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * The one range a `Range:` header asks for in a file of `size` bytes.
 * - undefined: no usable Range header (absent, not bytes, several ranges): send the whole file,
 *   which RFC 9110 allows;
 * - 'unsatisfiable': answer 416.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined;
  const [, first, last] = m;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    // Suffix range: the last N bytes.
    const n = Number(last);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (end < start) return undefined;
  return { start, end };
}
