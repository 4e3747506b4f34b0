/**
 * `lab …` as a child process: each matrix combination and each bisect step is its own lab, in
 * its own process, so one run's failure, hang or teardown cannot reach another. The child runs in
 * its own session (a terminal's Ctrl-C reaches only the parent, which forwards it once, so the
 * child never sees two signals) under `setpriv --pdeathsig TERM`: if the parent dies without
 * forwarding (SIGKILL), the kernel sends TERM and the child still tears its lab down in order —
 * the harness's own signal handling (lab/signals.ts) does the rest. Its output goes to a log file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../paths.ts';

export interface ChildExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the child could not be started at all (or was not, because the parent is stopping). */
  error?: string;
}

/** The command line for `args`: [file, argv]. */
export type ChildCommand = (args: string[]) => [string, string[]];

/** This checkout's `lab` CLI under the same Node, with tsx by absolute URL (the child's cwd resolves nothing). */
export const labCliCommand: ChildCommand = (args) => {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return ['setpriv', ['--pdeathsig', 'TERM', '--', process.execPath, '--import', tsx, join(projectRoot, 'harness', 'cli.ts'), ...args]];
};

export class LabChildren {
  readonly #running = new Map<ChildProcess, Promise<ChildExit>>();
  #stopping = false;

  constructor(readonly command: ChildCommand = labCliCommand) {}

  get size(): number {
    return this.#running.size;
  }

  /** Runs `lab <args>` with stdout and stderr appended to logFile; resolves when it has exited. */
  run(args: string[], logFile: string): Promise<ChildExit> {
    if (this.#stopping) return Promise.resolve({ exitCode: null, signal: null, error: 'not started: the parent is stopping' });
    mkdirSync(dirname(logFile), { recursive: true });
    const fd = openSync(logFile, 'a');
    const [file, argv] = this.command(args);
    let child: ChildProcess;
    try {
      child = spawn(file, argv, { stdio: ['ignore', fd, fd], detached: true });
    } finally {
      // The child holds its own copy of the descriptor.
      closeSync(fd);
    }
    const exited = new Promise<ChildExit>((resolve) => {
      child.once('error', (err) => resolve({ exitCode: null, signal: null, error: `could not start ${file}: ${err.message}` }));
      child.once('exit', (exitCode, signal) => resolve({ exitCode, signal }));
    }).finally(() => this.#running.delete(child));
    this.#running.set(child, exited);
    return exited;
  }

  /**
   * Sends `signal` to every running child once and waits until each has exited: its own teardown
   * (lab down, temp dirs removed) is done by then. Nothing is started after this was called.
   */
  async stopAll(signal: NodeJS.Signals): Promise<void> {
    this.#stopping = true;
    const waits = [...this.#running.entries()].map(([child, exited]) => {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
      return exited;
    });
    await Promise.all(waits);
  }
}
