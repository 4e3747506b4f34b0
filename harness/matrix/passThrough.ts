/**
 * The `lab scenario` options a matrix or a bisect hands to each of its runs unchanged, taken from
 * scenario's own option table: a new scenario option passes through without a change here. What
 * the caller sets itself (the axes, --reports) or what would stop it (--keep holds the lab up
 * until a signal) is left out by name.
 */
import { options as scenarioOptions } from '../commands/scenario.ts';

type ScenarioOption = keyof typeof scenarioOptions;
type OptionTable = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean; default?: unknown }>;

export function passThroughOptions(exclude: readonly ScenarioOption[]): OptionTable {
  const skip = new Set<string>([...exclude, 'help']);
  return Object.fromEntries(Object.entries(scenarioOptions).filter(([name]) => !skip.has(name)).map(([name, spec]) => [name, { type: spec.type }]));
}

/** The parsed values of those options, back as arguments. */
export function passThroughArgs(values: Record<string, unknown>, table: OptionTable): string[] {
  const out: string[] = [];
  for (const [name, spec] of Object.entries(table)) {
    const v = values[name];
    if (v === undefined || v === false) continue;
    if (spec.type === 'boolean') out.push(`--${name}`);
    else out.push(`--${name}`, String(v));
  }
  return out;
}

/** Those options for a usage line: `[--timeout-scale V] [--online]`. */
export function passThroughUsage(table: OptionTable): string {
  return Object.entries(table)
    .map(([name, spec]) => `[--${name}${spec.type === 'string' ? ' V' : ''}]`)
    .join(' ');
}
