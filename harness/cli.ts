#!/usr/bin/env node
// `lab <command> …`: each command lives in harness/commands/<name>.ts and exports
// `command: LabCommand`, so adding a command never touches this file.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkEnvironment } from './environment.ts';
import { exitCodeOf, oneLine } from './errors.ts';
import type { LabCommand } from './commands/types.ts';

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), 'commands');

const helperFiles = new Set(['types.ts', 'args.ts']);

function commandFiles(): string[] {
  return readdirSync(commandsDir)
    .filter((f) => f.endsWith('.ts') && !helperFiles.has(f) && !f.endsWith('.test.ts'))
    .sort();
}

async function loadCommand(file: string): Promise<LabCommand | undefined> {
  return ((await import(pathToFileURL(join(commandsDir, file)).href)) as { command?: LabCommand }).command;
}

/** Every command, for the usage text; running one loads only its own file (a command is named as its file). */
async function loadCommands(): Promise<Map<string, LabCommand>> {
  const commands = new Map<string, LabCommand>();
  for (const file of commandFiles()) {
    const command = await loadCommand(file);
    if (command) commands.set(command.name, command);
  }
  return commands;
}

function usage(commands: Map<string, LabCommand>): string {
  const width = Math.max(...[...commands.keys()].map((n) => n.length), 4);
  const lines = [...commands.values()].map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return ['usage: lab <command> [options]', '', 'commands:', ...lines].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage(await loadCommands()));
    return name ? 0 : 2;
  }
  const command = commandFiles().includes(`${name}.ts`) ? await loadCommand(`${name}.ts`) : undefined;
  if (!command || command.name !== name) {
    console.error(`lab: unknown command '${name}' (known: ${[...(await loadCommands()).keys()].join(', ')})`);
    return 2;
  }
  checkEnvironment();
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
