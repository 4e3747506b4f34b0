import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseCommandArgs } from '../../harness/commands/args.ts';
import type { LabCommand } from '../../harness/commands/types.ts';
import { projectRoot } from '../../harness/paths.ts';
import { listScenarios } from '../../harness/scenario/model.ts';

/**
 * The CI recipe's workflow and docs/ci.md name only what the project has: each `lab …` line a real
 * command, parsed by the project's own parser with that command's own option table (exported by
 * the command itself), each scenario a real one, each `npm run` script one package.json has, each
 * `bash scripts/…` a file here. A `${{ … }}` or `$VAR` word stands for a value the CI fills in.
 */
const workflowFile = join(projectRoot, 'docs/examples/nightly-github-actions.yml');
const ciDoc = join(projectRoot, 'docs/ci.md');
const scripts = (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

interface Workflow {
  on: { schedule?: { cron: string }[] };
  jobs: Record<string, { steps: { run?: string; uses?: string; with?: Record<string, unknown> }[]; strategy?: { matrix?: unknown }; outputs?: Record<string, string> }>;
}

/** Shell words of each simple command in a script: continuations joined, quotes removed, split at operators. */
function commandsOf(script: string): string[][] {
  const text = script.replace(/\\\n/g, ' ').replace(/\$\{\{[^}]*\}\}/g, 'EXPR');
  const out: string[][] = [];
  for (const line of text.split('\n')) {
    let words: string[] = [];
    let word = '';
    let quote: string | undefined;
    const endWord = () => {
      if (word) words.push(word.startsWith('$') ? 'EXPR' : word);
      word = '';
    };
    const endCommand = () => {
      endWord();
      if (words.length) out.push(words);
      words = [];
    };
    for (let i = 0; i < line.length; i++) {
      const ch = line[i]!;
      if (quote) {
        if (ch === quote) quote = undefined;
        else word += ch;
      } else if (ch === '"' || ch === "'") quote = ch;
      else if (ch === '#' && !word) break;
      else if (/\s/.test(ch)) endWord();
      else if ('|&;()<>'.includes(ch) || (ch === '$' && line[i + 1] === '(')) endCommand();
      else word += ch;
    }
    endCommand();
  }
  return out;
}

/** `lab <command> <args>` invocations among a command's words, by any of the ways the project runs its CLI. */
function labInvocations(words: string[]): { how: string; argv: string[] }[] {
  const found: { how: string; argv: string[] }[] = [];
  for (let i = 0; i < words.length; i++) {
    const rest = words.slice(i);
    if (rest[0] === 'node' && rest[1] === '--import' && rest[2] === 'tsx' && rest[3] === 'harness/cli.ts') found.push({ how: 'node --import tsx harness/cli.ts', argv: rest.slice(4) });
    if (rest[0] === 'npx' && rest[1] === 'tsx' && rest[2] === 'harness/cli.ts') found.push({ how: 'npx tsx harness/cli.ts', argv: rest.slice(3) });
    if (rest[0] === 'npm' && rest[1] === 'run') {
      // npm's own flags (--silent) come before the script's name.
      let k = 2;
      while (rest[k]?.startsWith('-')) k++;
      const script = rest[k];
      expect(Object.keys(scripts), `npm run ${script}: package.json has no such script`).toContain(script);
      const after = rest.slice(k + 1);
      if (script === 'lab') {
        expect(after[0], `npm run lab needs -- before the command: ${rest.join(' ')}`).toBe('--');
        found.push({ how: 'npm run lab --', argv: after.slice(1) });
      }
      if (script === 'scenario') found.push({ how: 'npm run scenario', argv: ['scenario', ...(after[0] === '--' ? after.slice(1) : after)] });
    }
  }
  return found;
}

async function checkLab(argv: string[], where: string): Promise<string> {
  const [name, ...args] = argv;
  expect(name, `${where}: lab needs a literal command`).toMatch(/^[a-z]+$/);
  const file = join(projectRoot, 'harness/commands', `${name}.ts`);
  expect(existsSync(file), `${where}: lab ${name}: no such command`).toBe(true);
  const mod = (await import(pathToFileURL(file).href)) as { command?: LabCommand; options?: Parameters<typeof parseCommandArgs>[2] };
  expect(mod.command?.name, `${where}: harness/commands/${name}.ts exports no command '${name}'`).toBe(name);
  if (!mod.options) {
    expect(args.filter((a) => a.startsWith('-')), `${where}: lab ${name} exports no option table, yet options are used`).toEqual([]);
    return name!;
  }
  // The command's own parser and table: an unknown option, a missing value or a value given to a flag is its one-line error.
  const { positionals } = (() => {
    try {
      return parseCommandArgs(name!, args, mod.options);
    } catch (err) {
      throw new Error(`${where}: lab ${argv.join(' ')}: ${(err as Error).message}`);
    }
  })();
  if (name === 'matrix' || name === 'scenario') for (const p of positionals.filter((x) => x !== 'EXPR')) expect(listScenarios(), `${where}: no scenario '${p}'`).toContain(p);
  return name!;
}

async function checkScript(script: string, where: string): Promise<string[]> {
  const used: string[] = [];
  for (const words of commandsOf(script)) {
    for (let i = 0; i < words.length - 1; i++) if (words[i] === 'bash' && words[i + 1]!.startsWith('scripts/')) expect(existsSync(join(projectRoot, words[i + 1]!)), `${where}: ${words[i + 1]} does not exist`).toBe(true);
    for (const inv of labInvocations(words)) used.push(await checkLab(inv.argv, `${where} (${inv.how})`));
  }
  return used;
}

describe('the CI recipe', () => {
  const workflow = parse(readFileSync(workflowFile, 'utf8')) as Workflow;
  const steps = Object.entries(workflow.jobs).flatMap(([job, j]) => j.steps.map((s, i) => ({ ...s, where: `${job} step ${i + 1}` })));

  it('is a nightly workflow: a schedule, a planned and sharded matrix, reports uploaded, JUnit published, history over the nights', () => {
    expect(workflow.on.schedule?.[0]?.cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
    expect(workflow.jobs.run!.strategy!.matrix).toBe('${{ fromJSON(needs.plan.outputs.matrix) }}');
    expect(workflow.jobs.plan!.outputs!.matrix).toMatch(/steps\.plan\.outputs\.matrix/);
    const runs = steps.map((s) => s.run ?? '').join('\n');
    expect(runs).toMatch(/--list --json --shards \d/);
    expect(runs).toContain('matrix ${{ matrix.args }}');
    expect(runs).toContain('Flatcar_Image_Signing_Key.asc');
    expect(runs).toMatch(/gpg --batch --verify "\$f\.sig" "\$f"/);
    expect(runs).toContain('LAB_OS_DIR=');
    expect(runs).toContain('--k3s-version "$K3S_VERSION" --online');
    expect(runs).toContain('--install-sh https://get.k3s.io');
    expect(steps.some((s) => s.uses?.startsWith('actions/upload-artifact@'))).toBe(true);
    expect(steps.some((s) => s.uses?.startsWith('mikepenz/action-junit-report@'))).toBe(true);
    expect(steps.filter((s) => s.uses?.startsWith('actions/cache/save@'))).toHaveLength(2);
  });

  it('names only commands, options, scenarios and scripts the project has', async () => {
    const used = new Set<string>();
    for (const s of steps) if (s.run) for (const name of await checkScript(s.run, s.where)) used.add(name);
    expect([...used].sort()).toEqual(['clean', 'history', 'matrix']);
  });

  it('docs/ci.md and the README section: their command lines too', async () => {
    const doc = readFileSync(ciDoc, 'utf8');
    expect(doc).toContain('examples/nightly-github-actions.yml');
    const blocks = [...doc.matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const used = new Set<string>();
    for (const [i, b] of blocks.entries()) for (const name of await checkScript(b, `docs/ci.md block ${i + 1}`)) used.add(name);
    for (const name of ['matrix', 'history', 'bisect']) expect([...used]).toContain(name);
    const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
    expect(readme).toContain('docs/ci.md');
    // The README's section on these commands holds the same promise.
    const section = readme.slice(readme.indexOf('## Nightly CI'), readme.indexOf('\n## ', readme.indexOf('## Nightly CI') + 1));
    const names = new Set<string>();
    for (const m of section.matchAll(/```sh\n([\s\S]*?)```/g)) for (const name of await checkScript(m[1]!, 'README')) names.add(name);
    expect([...names].sort()).toEqual(['bisect', 'history', 'matrix']);
  });

  it('catches a command or option the project does not have', async () => {
    await expect(checkScript('npm run lab -- matrix single-node --shardz 1/2', 'probe')).rejects.toThrow(/unknown option '--shardz'/);
    await expect(checkScript('node --import tsx harness/cli.ts nightly', 'probe')).rejects.toThrow(/no such command/);
    await expect(checkScript('npm run lab -- history --last', 'probe')).rejects.toThrow(/--last needs a value/);
    await expect(checkScript('npm run lab -- matrix no-such-scenario', 'probe')).rejects.toThrow(/no scenario 'no-such-scenario'/);
    await expect(checkScript('npm run nightly', 'probe')).rejects.toThrow(/no such script/);
  });
});
