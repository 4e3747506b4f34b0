import type { RunResult } from './result.ts';

export function xmlEscape(text: string): string {
  return text
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/**
 * JUnit XML as CI systems read it: one testsuite per scenario, one testcase per step and per
 * assertion. A run that ended early is one errored testcase carrying the harness's message.
 */
export function junitXml(result: RunResult): string {
  const cases: string[] = [verdictCase(result)];
  // A reproduced expected failure is green: what failed in it is what it set out to show.
  const expectedFailure = result.verdict.kind === 'reproduced';
  for (const step of result.steps) {
    if (expectedFailure) {
      cases.push(`    <testcase classname="${xmlEscape(result.scenario)}.steps" name="${xmlEscape(step.name)}" time="${seconds(step.durationMs)}"><system-out>${xmlEscape(step.ok ? 'ok' : `expected failure: ${step.error ?? ''}`)}</system-out></testcase>`);
      continue;
    }
    const body = step.ok ? '' : `<failure message="${xmlEscape(firstLine(step.error ?? 'failed'))}">${xmlEscape(step.error ?? '')}</failure>`;
    cases.push(`    <testcase classname="${xmlEscape(result.scenario)}.steps" name="${xmlEscape(step.name)}" time="${seconds(step.durationMs)}">${body}</testcase>`);
  }
  for (const a of result.assertions) {
    if (expectedFailure) {
      cases.push(`    <testcase classname="${xmlEscape(result.scenario)}.assertions" name="${xmlEscape(a.name)}" time="0"><system-out>${xmlEscape(`${a.ok ? '' : 'expected failure: '}${a.detail}`)}</system-out></testcase>`);
      continue;
    }
    const body = a.ok ? `<system-out>${xmlEscape(a.detail)}</system-out>` : `<failure message="${xmlEscape(firstFailing(a.detail))}">${xmlEscape(a.detail)}</failure>`;
    cases.push(`    <testcase classname="${xmlEscape(result.scenario)}.assertions" name="${xmlEscape(a.name)}" time="0">${body}</testcase>`);
  }
  if (result.error && !expectedFailure) {
    cases.push(`    <testcase classname="${xmlEscape(result.scenario)}" name="run" time="${seconds(result.durationMs)}"><error message="${xmlEscape(firstLine(result.error))}">${xmlEscape(result.error)}</error></testcase>`);
  }
  const failures = expectedFailure ? 0 : 1 - Number(result.verdict.ok) + result.steps.filter((s) => !s.ok).length + result.assertions.filter((a) => !a.ok).length;
  const errors = result.error && !expectedFailure ? 1 : 0;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="flatcar-k3s-lab" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${seconds(result.durationMs)}">`,
    `  <testsuite name="${xmlEscape(result.scenario)}" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${seconds(result.durationMs)}" timestamp="${result.startedAt}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/**
 * The run's verdict as the first testcase: a failure's message names the cause (node, boot, unit
 * and the tool's own line), its body the cause's lines and then the consequences.
 */
function verdictCase(result: RunResult): string {
  const head = `    <testcase classname="${xmlEscape(result.scenario)}" name="verdict" time="${seconds(result.durationMs)}">`;
  const cause = result.cause ? [result.cause.headline, ...result.cause.lines.slice(1).map((l) => `  | ${l}`)] : [];
  const body = [...cause, ...result.verdict.reasons.map((r) => `expected: ${r.text} — ${r.seen ? 'seen' : 'NOT seen'}`), ...result.consequences.map((c) => `consequence: ${c}`)].join('\n');
  if (result.verdict.ok) return `${head}<system-out>${xmlEscape([result.verdict.summary, body].filter(Boolean).join('\n'))}</system-out></testcase>`;
  return `${head}<failure message="${xmlEscape(result.verdict.summary)}">${xmlEscape(body)}</failure></testcase>`;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

function firstFailing(detail: string): string {
  return detail.split('\n').find((l) => /FAIL/.test(l)) ?? firstLine(detail);
}
