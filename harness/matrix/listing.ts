/**
 * `lab matrix … --list [--json]`: the combinations, without running any. The JSON is a CI's job
 * matrix as GitHub Actions reads it (`strategy.matrix: ${{ fromJSON(…) }}`: only an `include`
 * list at the top): one job per combination, or with --shards N one job per non-empty shard, or
 * with --shard I/N that shard's job — each with the exact `lab matrix` arguments that run it and no more.
 */
import type { Combination } from './combination.ts';
import { formatShard, shardOf, type Shard } from './shard.ts';

export interface MatrixAxes {
  scenarios: readonly string[];
  installShs: readonly string[];
  k3sVersions: readonly string[];
  passThrough: readonly string[];
}

export interface ListedJob {
  /** A name for the CI's job list. */
  job: string;
  /** `I/N`, or empty for a one-combination job. */
  shard: string;
  ids: string[];
  scenarios: string[];
  nodes: number;
  /** What follows `lab matrix`, as one shell-quoted line: a workflow's step runs `lab matrix ${{ matrix.args }}`. */
  args: string;
  /** What follows `lab`, as words (`matrix`, then the args). */
  argv: string[];
}

export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=+@%,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function axesArgs(a: MatrixAxes): string[] {
  return [...a.scenarios, ...a.installShs.flatMap((s) => ['--install-sh', s]), ...a.k3sVersions.flatMap((v) => ['--k3s-version', v]), ...a.passThrough];
}

function job(name: string, shard: string, combos: readonly Combination[], argv: string[]): ListedJob {
  return { job: name, shard, ids: combos.map((c) => c.id), scenarios: [...new Set(combos.map((c) => c.scenario))], nodes: Math.max(0, ...combos.map((c) => c.nodes)), args: argv.slice(1).map(shellQuote).join(' '), argv };
}

export function listedJobs(combos: readonly Combination[], axes: MatrixAxes, split: { shard?: Shard; shards?: number }): ListedJob[] {
  const count = split.shard?.count ?? split.shards;
  if (count === undefined) {
    return combos.map((c) =>
      job(c.id, '', [c], ['matrix', c.scenario, ...(c.installSh !== undefined ? ['--install-sh', c.installSh] : []), ...(c.k3sVersion !== undefined ? ['--k3s-version', c.k3sVersion] : []), ...axes.passThrough]),
    );
  }
  const indexes = split.shard ? [split.shard.index] : Array.from({ length: count }, (_, i) => i + 1);
  return indexes
    .map((index) => ({ index, members: combos.filter((c) => shardOf(c.id, count) === index) }))
    .filter((s) => s.members.length > 0)
    .map(({ index, members }) => job(`shard-${index}-of-${count}`, formatShard({ index, count }), members, ['matrix', ...axesArgs(axes), '--shard', formatShard({ index, count })]));
}

export function listJson(jobs: readonly ListedJob[]): string {
  return JSON.stringify({ include: jobs }, null, 2);
}

export function listText(combos: readonly Combination[], jobs: readonly ListedJob[], split: { shard?: Shard; shards?: number }): string[] {
  const count = split.shard?.count ?? split.shards;
  const shown = split.shard ? combos.filter((c) => shardOf(c.id, split.shard!.count) === split.shard!.index) : combos;
  const width = Math.max(...shown.map((c) => c.id.length), 11);
  const out = [`matrix: ${combos.length} combination${combos.length === 1 ? '' : 's'}${split.shard ? `, ${shown.length} in shard ${formatShard(split.shard)}` : ''}`];
  for (const c of shown) {
    const shard = count !== undefined ? `  shard ${shardOf(c.id, count)}/${count}` : '';
    out.push(`  ${c.id.padEnd(width)}  ${c.scenario} · install.sh ${c.installSh ?? 'default'} · k3s ${c.k3sVersion ?? 'default'} · ${c.nodes} node${c.nodes === 1 ? '' : 's'}${shard}`);
  }
  if (count !== undefined) for (const j of jobs) out.push(`  ${j.shard}: lab matrix ${j.args}`);
  return out;
}
