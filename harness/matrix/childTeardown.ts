import { onTerminate } from '../lab/signals.ts';
import { LabChildren } from './labChild.ts';
import { watchStopSignal } from './stopSignal.ts';

/**
 * Runs `work` with lab children that are stopped with the same signal (SIGINT, SIGTERM, SIGHUP;
 * SIGHUP when the parent died) and awaited, then `afterStop` (write what is known, remove temp
 * files), before lab/signals.ts exits the process with the signal's code. One teardown, in order:
 * the children first, so nothing they still use is removed under them.
 */
export async function withLabChildren<T>(work: (children: LabChildren) => Promise<T>, afterStop: (signal: NodeJS.Signals) => void | Promise<void>, children = new LabChildren()): Promise<T> {
  const watch = watchStopSignal();
  const unregister = onTerminate(async () => {
    const signal = await watch.signal();
    if (children.size) process.stderr.write(`lab: ${signal}: stopping ${children.size === 1 ? '1 run and waiting for its teardown' : `${children.size} runs and waiting for their teardown`}\n`);
    await children.stopAll(signal);
    await afterStop(signal);
  });
  try {
    return await work(children);
  } finally {
    unregister();
    watch.dispose();
  }
}
