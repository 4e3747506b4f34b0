/** Fetches one URL to a file atomically (temp name, then rename), so a failed download leaves nothing. */
import { createWriteStream, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LabError } from '../errors.ts';

export async function downloadTo(url: string, dest: string, timeoutMs = 10 * 60_000): Promise<void> {
  mkdirSync(dirname(dest), { recursive: true });
  const tmp = `${dest}.part-${process.pid}`;
  try {
    const res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok || !res.body) throw new LabError(`download ${url}: HTTP ${res.status}`);
    await pipeline(Readable.fromWeb(res.body as any), createWriteStream(tmp));
    renameSync(tmp, dest);
  } catch (e) {
    rmSync(tmp, { force: true });
    if (e instanceof LabError) throw e;
    throw new LabError(`download ${url}: ${(e as Error).message}`);
  }
}

export async function downloadText(url: string, timeoutMs = 60_000): Promise<string> {
  try {
    const res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new LabError(`download ${url}: HTTP ${res.status}`);
    return await res.text();
  } catch (e) {
    if (e instanceof LabError) throw e;
    throw new LabError(`download ${url}: ${(e as Error).message}`);
  }
}
