import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../harness/paths.ts';

function readmeCommands(): string[] {
  const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => (m[1] ?? '').trim());
  return blocks.slice(0, 2);
}

describe('README and CI', () => {
  it('README starts with a set-up command and a test command', () => {
    const [setup, test] = readmeCommands();
    expect(setup).toMatch(/scripts\/setup\.sh/);
    expect(test).toBe('npm test');
  });

  it('.ci/run runs exactly the README commands, in order', () => {
    const ci = readFileSync(join(projectRoot, '.ci/run'), 'utf8');
    const ciCommands = ci
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#') && !l.startsWith('set ') && !l.startsWith('cd '));
    expect(ciCommands).toEqual(readmeCommands());
  });
});
