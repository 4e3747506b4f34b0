/**
 * A run's report folder read back: the folders under a root that hold a result.json (a reports
 * dir, a matrix dir with one folder per combination, a bisect report, a folder a CI restored),
 * and each result.json as a RunResult, old ones included.
 */
import { existsSync, lstatSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { RunResult } from '../report/result.ts';

/** Deep enough for reports/<matrix>/<combination>/<run>/ and a CI's artifact folder above that. */
const maxDepth = 8;

/** Every folder under root holding a result.json; a run folder's own subfolders (logs, configs) are not searched. */
export function findRunFolders(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (existsSync(join(dir, 'result.json'))) {
      found.push(dir);
      return;
    }
    if (depth >= maxDepth) return;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      if (name.startsWith('.')) continue;
      const path = join(dir, name);
      // Symlinks are not followed: a restored folder may link back up and loop.
      let isDir = false;
      try {
        isDir = lstatSync(path).isDirectory();
      } catch {
        isDir = false;
      }
      if (isDir) walk(path, depth + 1);
    }
  };
  walk(root, 0);
  return found;
}

/** The newest run folder under dir (folder names start with the run's time), if any. */
export function newestRunFolder(dir: string): string | undefined {
  return findRunFolders(dir)
    .sort((a, b) => basename(a).localeCompare(basename(b)))
    .at(-1);
}

/** Why a folder's result.json could not be read, in one line. */
export class UnreadableResult extends Error {
  constructor(
    readonly file: string,
    why: string,
  ) {
    super(`${file}: ${why}`);
    this.name = 'UnreadableResult';
  }
}

/**
 * The run's result, as `lab report` reads it: results written before verdicts, causes and
 * consequences existed are judged as they were then (a pass or not), so old folders stay readable.
 */
export function readRunResult(dir: string): RunResult {
  const file = join(dir, 'result.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UnreadableResult(file, existsSync(file) ? `not JSON (${err instanceof Error ? err.message.split('\n')[0] : String(err)})` : 'does not exist');
  }
  const r = raw as Partial<RunResult>;
  if (typeof r !== 'object' || r === null || typeof r.scenario !== 'string' || typeof r.startedAt !== 'string' || !Array.isArray(r.nodes)) {
    throw new UnreadableResult(file, 'not a run result (no scenario, startedAt or nodes)');
  }
  const outcome = r.outcome ?? 'error';
  return {
    ...(r as RunResult),
    outcome,
    expected: r.expected ?? 'pass',
    verdict: r.verdict ?? { kind: outcome === 'pass' ? 'passed' : 'failed', ok: outcome === 'pass', summary: outcome.toUpperCase(), reasons: [] },
    consequences: r.consequences ?? [],
    terminalEvents: r.terminalEvents ?? [],
    artifacts: r.artifacts ?? [],
    steps: r.steps ?? [],
    assertions: r.assertions ?? [],
    diagnosis: r.diagnosis ?? [],
    files: r.files ?? { configs: [] },
    durationMs: typeof r.durationMs === 'number' ? r.durationMs : 0,
    accel: r.accel ?? { accel: 'unknown', reason: 'not recorded' },
  };
}

/** The line a person reads first about a run: the cause's headline, else the verdict's words. */
export function causeLine(result: Pick<RunResult, 'cause' | 'verdict'>): string {
  return result.cause?.headline ?? result.verdict.summary;
}
