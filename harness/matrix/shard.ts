/**
 * `--shard I/N`: a stable partition of a matrix by a hash of each combination's id (kola's
 * `--sharding hash:m/n`). A combination's shard depends on its id and N only, so adding or
 * removing other combinations never moves it, and N CI jobs with I = 1…N run each combination
 * exactly once. The price of stability: shards are not always equal in size.
 */
import { createHash } from 'node:crypto';
import { UsageError } from '../errors.ts';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new UsageError(`--shard wants I/N with 1 ≤ I ≤ N (e.g. 2/3), not '${text}'`);
  return { index, count };
}

export function parseShardCount(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1) throw new UsageError(`--shards wants a whole number ≥ 1, not '${text}'`);
  return n;
}

/** The 1-based shard an id lands in among `count`. */
export function shardOf(id: string, count: number): number {
  // 48 bits of sha256 fit a double exactly; their remainder is uniform enough for any N a CI has.
  const n = parseInt(createHash('sha256').update(id).digest('hex').slice(0, 12), 16);
  return (n % count) + 1;
}

export function inShard(id: string, shard: Shard): boolean {
  return shardOf(id, shard.count) === shard.index;
}

export function formatShard(s: Shard): string {
  return `${s.index}/${s.count}`;
}
