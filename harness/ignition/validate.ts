/**
 * Validation by the upstream validator: Debian's `ignition-validate` (Ignition 2.14). It knows specs up
 * to 3.3.0 and 3.4.0-experimental, not the final 3.4.0 (Ignition 2.15 stabilised it with no schema
 * change for the fields used here), so 3.4.0 configs are checked as 3.4.0-experimental and say so.
 */
import { execa } from 'execa';
import type { IgnitionConfig } from './ignitionTypes.ts';

export const ignitionValidateBinary = '/usr/bin/ignition-validate';

export interface ValidationResult {
  /** ignition-validate accepted it (exit 0). */
  ok: boolean;
  errors: string[];
  /** Accepted but suspicious (unused keys, modes with special bits before 3.4.0, …). */
  warnings: string[];
  validatedAs: string;
}

export async function validateIgnition(config: IgnitionConfig | string): Promise<ValidationResult> {
  const parsed = typeof config === 'string' ? (JSON.parse(config) as IgnitionConfig) : config;
  let validatedAs: string = parsed.ignition?.version ?? 'unknown';
  let input: unknown = parsed;
  if (validatedAs === '3.4.0') {
    validatedAs = '3.4.0-experimental';
    input = { ...parsed, ignition: { ...parsed.ignition, version: validatedAs } };
  }
  const result = await execa(ignitionValidateBinary, ['-'], { input: JSON.stringify(input), reject: false });
  const lines = `${result.stdout}\n${result.stderr}`.split('\n').map((l) => l.trim()).filter(Boolean);
  const warnings = lines.filter((l) => l.startsWith('warning'));
  const errors = lines.filter((l) => !l.startsWith('warning'));
  if (result.exitCode !== 0 && errors.length === 0) errors.push(`ignition-validate exited ${result.exitCode}`);
  return { ok: result.exitCode === 0, errors, warnings, validatedAs };
}
