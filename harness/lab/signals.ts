/**
 * One process-wide SIGINT/SIGTERM handler for all live labs: on the first signal every
 * registered teardown runs, then the process exits 130/143; a second signal exits at once
 * (the person pressed Ctrl-C twice and means it).
 */
type Cleanup = () => Promise<unknown>;

const cleanups = new Set<Cleanup>();
let stopping = false;
const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

const exitCodes: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

async function onSignal(sig: NodeJS.Signals): Promise<void> {
  if (stopping) process.exit(exitCodes[sig] ?? 1);
  stopping = true;
  process.stderr.write(`lab: ${sig}: tearing the lab down\n`);
  await Promise.allSettled([...cleanups].map((c) => c()));
  process.exit(exitCodes[sig] ?? 1);
}

function listener(sig: NodeJS.Signals): void {
  void onSignal(sig);
}

/** True once a signal started the teardown: nothing new should be started (a node booted again). */
export function terminating(): boolean {
  return stopping;
}

/** Registers a teardown to run on SIGINT/SIGTERM/SIGHUP; call the returned function once it ran normally. */
export function onTerminate(cleanup: Cleanup): () => void {
  if (cleanups.size === 0) for (const sig of signals) process.on(sig, listener);
  cleanups.add(cleanup);
  return () => {
    // With no lab left, the process gets its default signal behaviour back.
    if (cleanups.delete(cleanup) && cleanups.size === 0) for (const sig of signals) process.off(sig, listener);
  };
}
