import { formatAvailability } from '../scenario/availability.ts';
import type { RunResult } from './result.ts';

/**
 * The verdict as the terminal shows it, cause first: the verdict line (scenario, verdict, and
 * the cause's headline), the cause's further lines, the expected reasons of a reproducer, the
 * consequences, then each assertion.
 */
export function verdictLines(result: Pick<RunResult, 'scenario' | 'verdict' | 'cause' | 'consequences' | 'assertions' | 'availability'>): string[] {
  const out = [`${result.scenario}: ${result.verdict.summary}`];
  for (const l of result.cause?.lines.slice(1) ?? []) out.push(`  | ${l}`);
  for (const r of result.verdict.reasons) out.push(`  expected: ${r.text} — ${r.seen ? 'seen' : 'NOT seen'}`);
  if (result.consequences.length) {
    out.push(result.cause ? 'consequences:' : 'what failed:');
    for (const c of result.consequences) out.push(`  - ${c}`);
  }
  for (const a of result.assertions) out.push(`${a.ok ? 'pass' : 'FAIL'}  ${a.name}`);
  if (result.availability) out.push(`API availability: ${formatAvailability(result.availability)}`);
  return out;
}
