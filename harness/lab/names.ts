import { randomBytes } from 'node:crypto';

/** Every namespace this project creates starts with this, so `lab clean` can find orphans. */
export const netnsPrefix = 'fkl-';

export interface LabNames {
  runId: string;
  netns: string;
  bridge: string;
  /** Tap of the node at this index (0-based, in topology order). */
  tap(index: number): string;
}

/** 8 hex digits: short enough that every interface name stays within Linux's 15 characters. */
export function newRunId(): string {
  return randomBytes(4).toString('hex');
}

export function isRunId(s: string): boolean {
  return /^[0-9a-f]{8}$/.test(s);
}

/**
 * Names of a run's kernel objects, all derived from its id. Bridge and taps live inside the
 * run's namespace, so they could not clash anyway; deriving them still lets a person tell
 * two labs apart in `ip -all netns exec ip link`.
 */
export function labNames(runId: string): LabNames {
  if (!isRunId(runId)) throw new Error(`not a lab run id: ${runId}`);
  return {
    runId,
    netns: `${netnsPrefix}${runId}`,
    bridge: `lb-${runId}`,
    tap: (index: number) => {
      if (!Number.isInteger(index) || index < 0 || index > 99) throw new Error(`tap index out of range: ${index}`);
      return `lt-${runId}-${index}`;
    },
  };
}

/** The run id of one of our namespaces, or undefined for anybody else's. */
export function runIdOfNetns(name: string): string | undefined {
  if (!name.startsWith(netnsPrefix)) return undefined;
  const id = name.slice(netnsPrefix.length);
  return isRunId(id) ? id : undefined;
}
