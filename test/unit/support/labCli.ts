import { execa } from 'execa';
import { expect } from 'vitest';

/** `lab ARGS…` from the project root, as a user types it; never throws on a non-zero exit. */
export const lab = (args: string[], env: Record<string, string> = {}) => execa('npx', ['tsx', 'harness/cli.ts', ...args], { reject: false, env });

/** The project's refusal of bad input: exit 2 and one line on stderr. Returns that line. */
export function refusalLine(r: { exitCode?: number; stderr: string }, what = ''): string {
  expect(r.exitCode, what).toBe(2);
  expect(r.stderr.trim().split('\n'), what).toHaveLength(1);
  return r.stderr.trim();
}
