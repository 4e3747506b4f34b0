/**
 * Runs the rules over a set of configs (one cluster), drops findings the user allowed with
 * `# lint-allow <rule>: <reason>` on the line or the line above, and sorts what is left.
 */
import { clusterRules, configRules } from './rules/index.ts';
import type { Finding, LintContext } from './types.ts';

export interface LintResult {
  findings: Finding[];
  allowed: Finding[];
}

function isAllowed(f: Finding, texts: Map<string, string[]>): boolean {
  const lines = texts.get(f.file);
  if (!lines) return false;
  return [f.line - 1, f.line - 2].some((i) => {
    const m = /#\s*lint-allow\s+([a-z0-9-]+)/.exec(lines[i] ?? '');
    return m?.[1] === f.rule;
  });
}

export function lint(ctx: LintContext): LintResult {
  const raw = [...ctx.targets.flatMap((t) => configRules.flatMap((r) => r.check(t, ctx))), ...clusterRules.flatMap((r) => r.check(ctx))];
  const seen = new Set<string>();
  const unique = raw.filter((f) => {
    const key = `${f.file}:${f.line}:${f.rule}:${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const texts = new Map(ctx.targets.map((t) => [t.file, t.text.split('\n')]));
  const findings = unique.filter((f) => !isAllowed(f, texts));
  const allowed = unique.filter((f) => isAllowed(f, texts));
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.rule.localeCompare(b.rule));
  return { findings, allowed };
}

/** `file:line: rule: message (fix)`; warnings say so after the rule. */
export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}: ${f.rule}: ${f.severity === 'warning' ? 'warning: ' : ''}${f.message} (${f.fix})`;
}
