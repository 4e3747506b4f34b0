/**
 * Bundles the K3s double into one executable JavaScript file for Node 18 (Debian bookworm's nodejs,
 * inside the lab OS) with every dependency inside. `npx tsx images/k3s-double/build.ts [OUT]`.
 */
import { build } from 'esbuild';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const defaultDoubleOut = resolve(here, '..', 'cache', 'k3s-double', 'k3s');

export async function buildK3sDouble(out: string = defaultDoubleOut): Promise<string> {
  mkdirSync(dirname(out), { recursive: true });
  await build({
    entryPoints: [join(here, 'src', 'main.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    banner: { js: '#!/usr/bin/env node' },
    legalComments: 'none',
    logLevel: 'warning',
  });
  chmodSync(out, 0o755);
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildK3sDouble(process.argv[2] ? resolve(process.argv[2]) : undefined).then(
    (out) => console.log(out),
    (e: Error) => {
      console.error(`build-k3s-double: ${e.message}`);
      process.exit(1);
    },
  );
}
