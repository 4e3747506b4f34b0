import { relative } from 'node:path';

/** A path as a person reads it in the terminal: relative to where they stand, unless that climbs out of it. */
export function shownPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
}
