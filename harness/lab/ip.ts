import { execa } from 'execa';
import { LabError } from '../errors.ts';
import { holderOf, nsenterArgs } from './userns.ts';

/**
 * argv that runs `cmd` inside a lab namespace. Both forms exec into the command, so a pid we
 * record is the command's own: `ip netns exec` for named namespaces (root), `nsenter` into a
 * holder's user+net namespace for rootless labs.
 */
export function inNetns(netns: string, cmd: string, args: string[] = []): [string, string[]] {
  const holder = holderOf(netns);
  if (holder) return ['nsenter', [...nsenterArgs(holder), cmd, ...args]];
  return ['ip', ['netns', 'exec', netns, cmd, ...args]];
}

interface RunOptions {
  netns?: string;
  /** Return instead of throwing when the command fails. */
  allowFail?: boolean;
  input?: string;
}

async function exec(cmd: string, args: string[], opts: RunOptions) {
  const [file, argv] = opts.netns ? inNetns(opts.netns, cmd, args) : [cmd, args];
  const r = await execa(file, argv, { reject: false, ...(opts.input !== undefined ? { input: opts.input } : { stdin: 'ignore' as const }) });
  return { r, line: [file, ...argv].join(' ') };
}

/** Runs one command to completion; a failure names the command and its stderr. */
export async function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  const { r, line } = await exec(cmd, args, opts);
  if (r.exitCode !== 0 && !opts.allowFail) {
    throw new LabError(`${line} failed: ${(r.stderr || r.stdout || `exit ${r.exitCode}`).trim()}`);
  }
  return r.stdout;
}

/** Whether a command succeeds (for probes). */
export async function succeeds(cmd: string, args: string[], opts: Omit<RunOptions, 'allowFail'> = {}): Promise<boolean> {
  return (await exec(cmd, args, opts)).r.exitCode === 0;
}

export const ip = (args: string[], netns?: string) => run('ip', args, { netns });
