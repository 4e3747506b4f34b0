import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureLabOs, labOsDirForRecipe, type LabOs } from '../artifacts/labOs.ts';
import { UsageError } from '../errors.ts';
import type { LabCommand } from './types.ts';

const usage = 'usage: lab images build [--force] [--mirror-base-prefix URL] | lab images path';

export const command: LabCommand = {
  name: 'images',
  summary: 'build the lab OS (Flatcar stand-in) into the cache, or print where it is',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === 'build') return build(rest);
    if (sub === 'path') return path(rest);
    throw new UsageError(sub ? `images: unknown subcommand '${sub}' (${usage})` : usage);
  },
};

async function build(argv: string[]): Promise<number> {
  let force = false;
  let mirrorBasePrefix: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--force') force = true;
    else if (a === '--mirror-base-prefix' && argv[i + 1]) mirrorBasePrefix = argv[++i];
    else throw new UsageError(`images build: unexpected argument '${a}' (${usage})`);
  }
  const started = Date.now();
  const os = await ensureLabOs({ force, mirrorBasePrefix, onProgress: (line) => console.log(`  ${line}`) });
  const seconds = (Date.now() - started) / 1000;
  console.log(summary(os, seconds));
  return 0;
}

async function path(argv: string[]): Promise<number> {
  if (argv.length) throw new UsageError(`images path: unexpected argument '${argv[0]}' (${usage})`);
  const dir = await labOsDirForRecipe();
  console.log(dir);
  if (!existsSync(join(dir, 'manifest.json'))) {
    console.error('lab: the lab OS for this recipe is not built yet (npm run lab -- images build)');
    return 1;
  }
  return 0;
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

export function summary(os: LabOs, seconds: number): string {
  const m = os.manifest;
  const how = os.built
    ? `built in ${seconds.toFixed(1)} s (${Object.entries(m.stageSeconds).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')})`
    : `up to date (recipe ${m.recipeHash}, built ${m.builtAt} in ${m.buildSeconds} s); checked in ${seconds.toFixed(1)} s`;
  const lines = [
    `lab OS ${m.version} (${m.board}, a Flatcar stand-in from Debian bookworm): ${how}`,
    `  dir        ${os.dir}`,
    `  mirror     ${os.mirrorRoot} (serve at /flatcar/)`,
    `  public key ${os.publicKey}`,
  ];
  for (const [name, f] of Object.entries(m.files)) lines.push(`  ${name.padEnd(38)} ${mib(f.bytes).padStart(10)}  sha256 ${f.sha256.slice(0, 16)}…`);
  lines.push(`  raw disk image ${mib(m.diskRawBytes)}`);
  return lines.join('\n');
}
