import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a file so that a power cut leaves either the old file or the new one, never an empty
 * one: temp file, fsync, rename, fsync of the directory. Real k3s keeps its bootstrap state (CAs,
 * the token's hash) in the datastore, which fsyncs, and restores local files from it; the double
 * keeps that state in local files, so they must be as durable as the datastore would be. Without
 * this, a site power cut within the kernel's writeback delay left the double with an empty token
 * file and a "different token" refusal real k3s would not give (measured in three-node-ha).
 */
export function writeDurably(path: string, content: string, mode = 0o644): void {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
