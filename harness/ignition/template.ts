/**
 * `{{ name }}` placeholders in a user's template, filled from scenario data. Values are single-line so
 * every line of the rendered text is the same line of the template: errors and lint findings found
 * in the rendered YAML point at the template's own lines.
 */
import { ConfigError, type Diagnostic } from './diagnostics.ts';

export type TemplateVariables = Readonly<Record<string, string>>;

const placeholder = /\{\{\s*([^{}]*?)\s*\}\}/g;

export function templateVariablesUsed(text: string): string[] {
  return [...new Set([...text.matchAll(placeholder)].map((m) => m[1]!))];
}

export function renderTemplate(text: string, variables: TemplateVariables, file: string): string {
  const errors: Diagnostic[] = [];
  const lines = text.split('\n');
  const out = lines.map((line, i) => {
    const rendered = line.replace(placeholder, (match, rawName: string, col: number) => {
      const loc = { file, line: i + 1, col: col + 1, path: '' };
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(rawName)) {
        errors.push({ severity: 'error', loc, message: `'${match}' is not a template variable (names are letters, digits and _)` });
        return match;
      }
      const value = variables[rawName];
      if (value === undefined) {
        const known = Object.keys(variables).sort().join(', ');
        errors.push({ severity: 'error', loc, message: `template variable '${rawName}' is not set (set: ${known || 'none'})` });
        return match;
      }
      if (/[\r\n]/.test(value)) {
        errors.push({ severity: 'error', loc, message: `template variable '${rawName}' must be a single line` });
        return match;
      }
      return value;
    });
    const stray = rendered.indexOf('{{');
    if (stray >= 0 && !errors.some((e) => e.loc.line === i + 1)) {
      errors.push({ severity: 'error', loc: { file, line: i + 1, col: stray + 1, path: '' }, message: "unclosed '{{' in template" });
    }
    return rendered;
  });
  if (errors.length) throw new ConfigError(errors);
  return out.join('\n');
}
