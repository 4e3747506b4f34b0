/**
 * One process-wide handler for the ways a run is stopped: SIGINT, SIGTERM, SIGHUP, and the
 * parent process going away (a closed terminal takes the npm wrapper with it; a CI runner kills
 * the wrapper). The first of them starts every registered teardown and the process exits
 * 130/143/129 once they all finished; any later signal is reported and never cuts the teardown
 * short (a Ctrl-C followed by the terminal's hangup is the common case). What a SIGKILL leaves
 * is bounded by the helpers' parent-death signal (parentDeath.ts) and reaped by the next run.
 */
type Cleanup = () => Promise<unknown>;

const cleanups = new Set<Cleanup>();
let stopping = false;
const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const exitCodes: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
/** How often the parent is looked for; a closed terminal is noticed within this. */
const parentPollMs = 1000;

let parentWatch: NodeJS.Timeout | undefined;

async function stop(cause: string, exitCode: number): Promise<void> {
  if (stopping) {
    say(`lab: ${cause} during teardown: finishing the teardown first`);
    return;
  }
  stopping = true;
  say(`lab: ${cause}: tearing the lab down`);
  await Promise.allSettled([...cleanups].map((c) => c()));
  process.exit(exitCode);
}

/** A closed terminal makes every write fail (EIO, EPIPE): the teardown must not die of its messages. */
function say(line: string): void {
  try {
    process.stderr.write(`${line}\n`);
  } catch {
    // nobody is listening any more
  }
}

const ignoreWriteErrors = (): void => {};

function listener(sig: NodeJS.Signals): void {
  void stop(sig, exitCodes[sig] ?? 1);
}

function watchParent(): NodeJS.Timeout {
  const parent = process.ppid;
  const timer = setInterval(() => {
    // Reparented (to init or a subreaper): whoever started us is gone.
    if (process.ppid !== parent) void stop(`parent process ${parent} gone`, exitCodes.SIGHUP!);
  }, parentPollMs);
  timer.unref();
  return timer;
}

/** True once a signal started the teardown: nothing new should be started (a node booted again). */
export function terminating(): boolean {
  return stopping;
}

/** Registers a teardown to run on SIGINT/SIGTERM/SIGHUP or the parent's death; call the returned function once it ran normally. */
export function onTerminate(cleanup: Cleanup): () => void {
  if (cleanups.size === 0) {
    for (const sig of signals) process.on(sig, listener);
    process.stdout.on('error', ignoreWriteErrors);
    process.stderr.on('error', ignoreWriteErrors);
    parentWatch = watchParent();
  }
  cleanups.add(cleanup);
  return () => {
    // With no lab left, the process gets its default signal behaviour back.
    if (cleanups.delete(cleanup) && cleanups.size === 0) {
      for (const sig of signals) process.off(sig, listener);
      process.stdout.off('error', ignoreWriteErrors);
      process.stderr.off('error', ignoreWriteErrors);
      clearInterval(parentWatch);
      parentWatch = undefined;
    }
  };
}
