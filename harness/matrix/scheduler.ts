import { fits, type Capacity, type Need } from './jobs.ts';

/**
 * Runs items in their order, each started as soon as it fits next to the running ones (jobs.ts).
 * First come, first started: a large combination waits at the head rather than being passed by
 * small ones for ever. Once `stopped()` is true, or a run threw, nothing more is started; the
 * running ones are always awaited before this returns (or throws the first error).
 */
export async function runScheduled<T>(items: readonly T[], need: (item: T) => Need, cap: Capacity, run: (item: T) => Promise<void>, stopped: () => boolean = () => false): Promise<void> {
  const running = new Map<Promise<void>, Need>();
  let failure: { err: unknown } | undefined;
  let next = 0;
  for (;;) {
    while (next < items.length && !failure && !stopped() && fits([...running.values()], need(items[next]!), cap)) {
      const item = items[next++]!;
      const p: Promise<void> = run(item)
        .catch((err: unknown) => {
          failure ??= { err };
        })
        .finally(() => running.delete(p));
      running.set(p, need(item));
    }
    if (running.size === 0) break;
    await Promise.race(running.keys());
  }
  if (failure) throw failure.err;
}
