import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { LabError } from '../errors.ts';
import { inNetns } from './ip.ts';
import { dieWithParent } from './parentDeath.ts';
import { isAlive, procId, stopProcess, type ProcId } from './procs.ts';
import { forgetProcess, recordProcess } from './state.ts';

/** A long-running process of the lab (dnsmasq, the mirror, a VM), supervised by pid file. */
export interface Helper {
  name: string;
  proc: ProcId;
  /** Settles when the process exits, with its exit code (or the signal that ended it). */
  exited: Promise<{ exitCode?: number; signal?: string }>;
  alive(): boolean;
  stop(graceMs?: number): Promise<void>;
}

export interface HelperSpec {
  name: string;
  /** The lab namespace it runs in; absent: this host's own (a QEMU a test starts without a lab). */
  netns?: string;
  /** Run directory: the pid file goes to <runDir>/pids/<name>.pid. */
  runDir: string;
  cmd: string;
  args: string[];
  /** stdout and stderr both go here (appended). */
  outputFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts a helper inside the lab namespace (or this host's, without one). It gets its own process group (detached) so a
 * Ctrl-C on the terminal reaches only the harness, which then stops helpers in order.
 */
export function startHelper(spec: HelperSpec): Helper {
  const where: [string, string[]] = spec.netns ? inNetns(spec.netns, spec.cmd, spec.args) : [spec.cmd, spec.args];
  const [file, argv] = dieWithParent(...where);
  const out = openSync(spec.outputFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(file, argv, {
      detached: true,
      stdio: ['ignore', out, out],
      cwd: spec.cwd ?? process.cwd(),
      env: spec.env ?? process.env,
    });
  } finally {
    // The child holds its own copy of the descriptor from here on.
    closeSync(out);
  }
  // Spawn failures also arrive as an 'error' event; the missing pid below reports them.
  child.on('error', () => {});
  if (child.pid === undefined) throw new LabError(`could not start ${spec.name} (${spec.cmd})`);
  // Read the start time at once: setpriv and `ip netns exec` exec into the command, so the pid stays.
  const proc = procId(child.pid);
  recordProcess(spec.runDir, spec.name, proc);
  const exited = new Promise<{ exitCode?: number; signal?: string }>((resolve) => {
    child.once('exit', (code, sig) => {
      forgetProcess(spec.runDir, spec.name);
      resolve({ exitCode: code ?? undefined, signal: sig ?? undefined });
    });
  });
  return {
    name: spec.name,
    proc,
    exited,
    alive: () => isAlive(proc),
    stop: async (graceMs = 3000) => {
      await stopProcess(proc, graceMs);
      await exited;
    },
  };
}

/** Polls `ready()` until it holds; fails early, with the helper's name, if the helper exits first. */
export async function waitUntilReady(
  h: Helper,
  what: string,
  ready: () => boolean,
  opts: { timeoutMs: number; describeFailure?: () => string },
): Promise<void> {
  let exit: { exitCode?: number; signal?: string } | undefined;
  void h.exited.then((e) => (exit = e));
  const deadline = Date.now() + opts.timeoutMs;
  while (!ready()) {
    if (exit) {
      throw new LabError(`${h.name} exited (${exit.exitCode ?? exit.signal}) before ${what}${opts.describeFailure ? `: ${opts.describeFailure()}` : ''}`);
    }
    if (Date.now() > deadline) {
      throw new LabError(`timed out after ${opts.timeoutMs} ms waiting for ${what}${opts.describeFailure ? `: ${opts.describeFailure()}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
