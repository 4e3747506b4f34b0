import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A file as a build recorded it. */
export interface RecordedFile {
  bytes: number;
  sha256: string;
}

interface Stamp {
  bytes: number;
  mtimeMs: number;
  sha256: string;
}

const stampFile = 'verified.json';

/**
 * Checks a cached build's files against what its build recorded: the size always, the sha256 once
 * per change of size or mtime (hashing the lab OS's ~340 MB on every run would cost seconds; a
 * stamp of the last good hash per file, kept next to the manifest, makes an unchanged cache
 * cost a stat per file). Returns what is wrong, one item per damaged file; [] when all is well.
 */
export async function damagedFiles(filesDir: string, recorded: Record<string, RecordedFile>, stampDir: string): Promise<string[]> {
  const stamps = readStamps(stampDir);
  const problems: string[] = [];
  let changed = false;
  for (const [name, want] of Object.entries(recorded)) {
    const path = join(filesDir, name);
    let st;
    try {
      st = statSync(path);
    } catch {
      problems.push(`${name} is missing`);
      continue;
    }
    if (st.size !== want.bytes) {
      problems.push(`${name} is ${st.size} bytes, its build wrote ${want.bytes}`);
      continue;
    }
    const stamp = stamps[name];
    if (stamp && stamp.bytes === st.size && stamp.mtimeMs === st.mtimeMs && stamp.sha256 === want.sha256) continue;
    const got = await sha256(path);
    if (got !== want.sha256) {
      problems.push(`${name} has sha256 ${got.slice(0, 12)}…, its build wrote ${want.sha256.slice(0, 12)}…`);
      continue;
    }
    stamps[name] = { bytes: st.size, mtimeMs: st.mtimeMs, sha256: got };
    changed = true;
  }
  if (changed && problems.length === 0) {
    const tmp = join(stampDir, `${stampFile}.${process.pid}`);
    writeFileSync(tmp, `${JSON.stringify(stamps, null, 2)}\n`);
    renameSync(tmp, join(stampDir, stampFile));
  }
  return problems;
}

function readStamps(dir: string): Record<string, Stamp> {
  try {
    return JSON.parse(readFileSync(join(dir, stampFile), 'utf8')) as Record<string, Stamp>;
  } catch {
    return {};
  }
}

async function sha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}
