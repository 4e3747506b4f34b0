/**
 * One junit.xml for a whole matrix: a testsuite per combination, named by its id. A suite is the
 * run's own (report/junit.ts, from its result.json) with the combination id in place of the
 * scenario name, so two combinations of one scenario keep their testcases apart in a CI's view;
 * its properties say scenario, install.sh and k3s. A combination without a result (the child
 * could not run, or was stopped) is one errored testcase saying why; one never started is skipped.
 */
import { junitXml, xmlEscape as esc } from '../report/junit.ts';
import type { CombinationRun } from './combinationRun.ts';

interface Suite {
  lines: string[];
  tests: number;
  failures: number;
  errors: number;
  timeS: number;
}

function properties(run: CombinationRun): string {
  const c = run.combination;
  const props: [string, string][] = [
    ['combination', c.id],
    ['scenario', c.scenario],
    ['install-sh', c.installSh ?? '(scenario default)'],
    ['k3s-version', c.k3sVersion ?? '(the K3s double)'],
    ...(run.result ? run.result.artifacts.map((a) => [`artifact: ${a.name}`, a.source] as [string, string]) : []),
  ];
  return `    <properties>${props.map(([n, v]) => `<property name="${esc(n)}" value="${esc(v)}"/>`).join('')}</properties>`;
}

function suiteFromResult(run: CombinationRun): Suite {
  const lines = junitXml({ ...run.result!, scenario: run.combination.id }).split('\n');
  const start = lines.findIndex((l) => l.startsWith('  <testsuite '));
  const end = lines.lastIndexOf('  </testsuite>');
  const head = lines[start]!;
  const num = (attr: string) => Number(new RegExp(` ${attr}="([\\d.]+)"`).exec(head)?.[1] ?? 0);
  return { lines: [head, properties(run), ...lines.slice(start + 1, end + 1)], tests: num('tests'), failures: num('failures'), errors: num('errors'), timeS: num('time') };
}

function suiteWithout(run: CombinationRun): Suite {
  const id = esc(run.combination.id);
  const timeS = (run.durationMs ?? 0) / 1000;
  const at = run.startedAt ? ` timestamp="${run.startedAt}"` : '';
  const skipped = run.status === 'waiting';
  const why = run.problem ?? (skipped ? 'not started' : 'no result');
  const body = skipped ? `<skipped message="${esc(why)}"/>` : `<error message="${esc(why)}">${esc(`${why}\nlog: ${run.logFile}`)}</error>`;
  return {
    lines: [`  <testsuite name="${id}" tests="1" failures="0" errors="${skipped ? 0 : 1}"${skipped ? ' skipped="1"' : ''} time="${timeS.toFixed(3)}"${at}>`, properties(run), `    <testcase classname="${id}" name="run" time="${timeS.toFixed(3)}">${body}</testcase>`, '  </testsuite>'],
    tests: 1,
    failures: 0,
    errors: skipped ? 0 : 1,
    timeS,
  };
}

export function combinedJunit(runs: readonly CombinationRun[], name = 'flatcar-k3s-lab matrix'): string {
  const suites = runs.map((r) => (r.result ? suiteFromResult(r) : suiteWithout(r)));
  const sum = (k: 'tests' | 'failures' | 'errors' | 'timeS') => suites.reduce((s, x) => s + x[k], 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${esc(name)}" tests="${sum('tests')}" failures="${sum('failures')}" errors="${sum('errors')}" time="${sum('timeS').toFixed(3)}">`,
    ...suites.flatMap((s) => s.lines),
    '</testsuites>',
    '',
  ].join('\n');
}
