import { join, relative } from 'node:path';
import { writeFileAtomic } from '../history/atomicWrite.ts';
import { causeLine } from '../history/runFolder.ts';
import { combinedJunit } from './combinedJunit.ts';
import type { CombinationRun } from './combinationRun.ts';
import { matrixIndexHtml } from './indexHtml.ts';
import type { MatrixMeta } from './matrixMeta.ts';

/** matrix.json: the matrix as data, for a CI step or a script (paths relative to the matrix folder). */
export function matrixJson(matrixDir: string, runs: readonly CombinationRun[], meta: MatrixMeta): string {
  const rel = (p: string | undefined) => (p ? relative(matrixDir, p) : undefined);
  return `${JSON.stringify(
    {
      ...meta,
      ok: runs.every((r) => r.ok),
      combinations: runs.map((r) => ({
        id: r.combination.id,
        scenario: r.combination.scenario,
        installSh: r.combination.installSh ?? null,
        k3sVersion: r.combination.k3sVersion ?? null,
        status: r.status,
        ok: r.ok,
        exitCode: r.exitCode ?? null,
        verdict: r.result?.verdict.kind ?? null,
        cause: r.result && !r.result.verdict.ok ? causeLine(r.result) : (r.problem ?? null),
        durationMs: r.durationMs ?? null,
        report: rel(r.runFolder && join(r.runFolder, 'report.html')) ?? null,
        log: rel(r.logFile),
      })),
    },
    null,
    2,
  )}\n`;
}

/** The matrix folder's own files, each written whole: junit.xml, report.html, matrix.json. */
export function writeMatrixOutputs(matrixDir: string, runs: readonly CombinationRun[], meta: MatrixMeta): void {
  writeFileAtomic(join(matrixDir, 'junit.xml'), combinedJunit(runs));
  writeFileAtomic(join(matrixDir, 'matrix.json'), matrixJson(matrixDir, runs, meta));
  writeFileAtomic(join(matrixDir, 'report.html'), matrixIndexHtml(matrixDir, runs, meta));
}
