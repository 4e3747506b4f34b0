import { describe, expect, it } from 'vitest';
import { combinedJunit } from '../../harness/matrix/combinedJunit.ts';
import type { CombinationRun } from '../../harness/matrix/combinationRun.ts';
import { combinationId } from '../../harness/matrix/combination.ts';
import { junitXml } from '../../harness/report/junit.ts';
import type { RunResult } from '../../harness/report/result.ts';
import { sampleResult } from './report-fixture.ts';

function run(ordinal: number, spec: { installSh?: string; k3sVersion?: string }, result?: RunResult, problem?: string): CombinationRun {
  const combination = { scenario: 'single-node', ...spec, id: combinationId({ scenario: 'single-node', ...spec }), nodes: 1 };
  return { combination, ordinal, dir: `/m/${combination.id}`, logFile: `/m/${combination.id}/output.log`, status: 'done', ok: result?.verdict.ok ?? false, ...(result ? { result } : {}), ...(problem ? { problem, exitCode: 1 } : {}) };
}

const suiteOf = (xml: string, name: string) => new RegExp(`<testsuite name="${name.replace(/[.+]/g, '\\$&')}"[\\s\\S]*?</testsuite>`).exec(xml)?.[0] ?? '';

describe('the matrix junit.xml', () => {
  const failed = sampleResult({ scenario: 'single-node' });
  const reproduced = sampleResult({ scenario: 'single-node', verdict: { kind: 'reproduced', ok: true, summary: 'expected failure reproduced', reasons: [] } });
  const runs = [run(1, { installSh: 'fixture' }, failed), run(2, { installSh: 'fixture:pr13712' }, reproduced), run(3, { k3sVersion: 'v1.32.4+k3s1' }, undefined, 'exit 1: lab: the mirror would not start')];
  const xml = combinedJunit(runs);

  it('holds one testsuite per combination, each the run\'s own suite under the combination\'s id', () => {
    expect([...xml.matchAll(/<testsuite name="([^"]+)"/g)].map((m) => m[1])).toEqual(runs.map((r) => r.combination.id));
    // The same testcases report/junit.ts writes for the run, with the id as their class: two combinations of one scenario stay apart.
    const own = junitXml({ ...failed, scenario: runs[0]!.combination.id });
    const cases = (text: string) => [...text.matchAll(/<testcase [^>]*>/g)].map((m) => m[0]);
    expect(cases(suiteOf(xml, runs[0]!.combination.id))).toEqual(cases(own));
    expect(cases(suiteOf(xml, runs[1]!.combination.id)).every((c) => c.includes(`classname="${runs[1]!.combination.id}`))).toBe(true);
  });

  it('keeps each run\'s counts, adds them up at the top, and names the combination in its properties', () => {
    const counts = (s: string) => /tests="(\d+)" failures="(\d+)" errors="(\d+)"/.exec(s)!.slice(1).map(Number);
    const [a, b, c] = runs.map((r) => counts(suiteOf(xml, r.combination.id)));
    expect(a![1]).toBeGreaterThan(0);
    expect(b![1]).toBe(0);
    expect(c).toEqual([1, 0, 1]);
    expect(counts(/<testsuites [^>]*>/.exec(xml)![0])).toEqual([a![0]! + b![0]! + c![0]!, a![1]! + b![1]! + c![1]!, a![2]! + b![2]! + c![2]!]);
    expect(suiteOf(xml, runs[1]!.combination.id)).toContain('<property name="install-sh" value="fixture:pr13712"/>');
    expect(suiteOf(xml, runs[2]!.combination.id)).toContain('<error message="exit 1: lab: the mirror would not start">');
  });
});
