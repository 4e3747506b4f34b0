/** What a matrix report says about the matrix itself. */
export interface MatrixMeta {
  startedAt: string;
  finishedAt?: string;
  /** `I/N` when sharded. */
  shard?: string;
  /** Combinations before sharding. */
  all: number;
  /** How many run at once, in words. */
  jobs: string;
  /** The signal that stopped the matrix, when one did. */
  stoppedBy?: string;
}
