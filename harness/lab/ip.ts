import { execa } from 'execa';
import { LabError } from '../errors.ts';

/** argv that runs `cmd` inside a namespace (ip netns exec execs, so the pid is the command's own). */
export function inNetns(netns: string, cmd: string, args: string[] = []): [string, string[]] {
  return ['ip', ['netns', 'exec', netns, cmd, ...args]];
}

/** Runs one command to completion; a failure names the command and its stderr. */
export async function run(cmd: string, args: string[], opts: { netns?: string; allowFail?: boolean } = {}): Promise<string> {
  const [file, argv] = opts.netns ? inNetns(opts.netns, cmd, args) : [cmd, args];
  const r = await execa(file, argv, { reject: false, stdin: 'ignore' });
  if (r.exitCode !== 0 && !opts.allowFail) {
    throw new LabError(`${[file, ...argv].join(' ')} failed: ${(r.stderr || r.stdout || `exit ${r.exitCode}`).trim()}`);
  }
  return r.stdout;
}

export const ip = (args: string[], netns?: string) => run('ip', args, { netns });
