#!/usr/bin/env node
// `lab <command> …`: each command lives in harness/commands/<name>.ts and exports
// `command: LabCommand`, so adding a command never touches this file.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { exitCodeOf, oneLine } from './errors.ts';
import type { LabCommand } from './commands/types.ts';

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), 'commands');

async function loadCommands(): Promise<Map<string, LabCommand>> {
  const commands = new Map<string, LabCommand>();
  for (const file of readdirSync(commandsDir).sort()) {
    if (!file.endsWith('.ts') || file === 'types.ts' || file.endsWith('.test.ts')) continue;
    const mod = (await import(pathToFileURL(join(commandsDir, file)).href)) as { command?: LabCommand };
    if (mod.command) commands.set(mod.command.name, mod.command);
  }
  return commands;
}

function usage(commands: Map<string, LabCommand>): string {
  const width = Math.max(...[...commands.keys()].map((n) => n.length), 4);
  const lines = [...commands.values()].map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return ['usage: lab <command> [options]', '', 'commands:', ...lines].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const commands = await loadCommands();
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage(commands));
    return name ? 0 : 2;
  }
  const command = commands.get(name);
  if (!command) {
    console.error(`lab: unknown command '${name}' (known: ${[...commands.keys()].join(', ')})`);
    return 2;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`lab: ${oneLine(err)}`);
    if (process.env.LAB_DEBUG && err instanceof Error) console.error(err.stack);
    process.exitCode = exitCodeOf(err);
  },
);
