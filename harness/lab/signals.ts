/**
 * One process-wide SIGINT/SIGTERM handler for all live labs: on the first signal every
 * registered teardown runs, then the process exits 130/143; a second signal exits at once
 * (the person pressed Ctrl-C twice and means it).
 */
type Cleanup = () => Promise<unknown>;

const cleanups = new Set<Cleanup>();
let installed = false;
let stopping = false;

const exitCodes: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

async function onSignal(sig: NodeJS.Signals): Promise<void> {
  if (stopping) process.exit(exitCodes[sig] ?? 1);
  stopping = true;
  process.stderr.write(`lab: ${sig}: tearing the lab down\n`);
  await Promise.allSettled([...cleanups].map((c) => c()));
  process.exit(exitCodes[sig] ?? 1);
}

/** Registers a teardown to run on SIGINT/SIGTERM/SIGHUP; call the returned function once it ran normally. */
export function onTerminate(cleanup: Cleanup): () => void {
  if (!installed) {
    installed = true;
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => void onSignal(sig));
  }
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}
