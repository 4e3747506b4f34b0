/**
 * Which signal stopped this process, so the children get the same one. lab/signals.ts tells its
 * teardowns nothing, and its listener may run before this one: the name is read after the
 * current signal's listeners have all run (setImmediate). No signal at all means the parent died
 * (signals.ts's watch), which a terminal would have said with a hangup.
 */
const stopSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface StopSignalWatch {
  signal(): Promise<NodeJS.Signals>;
  dispose(): void;
}

export function watchStopSignal(): StopSignalWatch {
  let first: NodeJS.Signals | undefined;
  const record = (sig: NodeJS.Signals): void => {
    first ??= sig;
  };
  for (const s of stopSignals) process.on(s, record);
  return {
    async signal() {
      await new Promise((resolve) => setImmediate(resolve));
      return first ?? 'SIGHUP';
    },
    dispose() {
      for (const s of stopSignals) process.off(s, record);
    },
  };
}
