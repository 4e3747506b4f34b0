import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startHelper, waitUntilReady, type Helper } from '../lab/helper.ts';
import { projectRoot } from '../paths.ts';
import type { MirrorOptions } from './mirror.ts';

export interface MirrorRun {
  helper: Helper;
  url: string;
  accessLog: string;
}

// Resolved to a file URL so the helper finds tsx whatever its working directory is.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const mirrorMain = join(dirname(fileURLToPath(import.meta.url)), 'mirrorMain.ts');

/** Runs the mirror as a helper process inside the lab namespace; resolves once it listens. */
export async function startMirrorProcess(opts: { netns: string; runDir: string; mirror: MirrorOptions; timeoutMs?: number }): Promise<MirrorRun> {
  const configFile = join(opts.runDir, 'mirror.json');
  writeFileSync(configFile, JSON.stringify(opts.mirror, null, 2) + '\n');
  const outputFile = join(opts.runDir, 'mirror.out');
  const helper = startHelper({
    name: 'mirror',
    netns: opts.netns,
    runDir: opts.runDir,
    cmd: process.execPath,
    args: ['--import', tsxLoader, mirrorMain, configFile],
    outputFile,
    cwd: projectRoot,
  });
  const out = () => (existsSync(outputFile) ? readFileSync(outputFile, 'utf8') : '');
  await waitUntilReady(helper, `the mirror to listen on ${opts.mirror.host}:${opts.mirror.port}`, () => /^ready /m.test(out()), {
    timeoutMs: opts.timeoutMs ?? 20_000,
    describeFailure: () => out().trim().split('\n').slice(-3).join(' | '),
  });
  const url = /^ready (\S+)/m.exec(out())![1]!;
  return { helper, url, accessLog: opts.mirror.accessLog };
}
