/** `lab matrix`: every scenario × install.sh × k3s combination, each its own `lab scenario` child; one junit.xml and an index report. */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { shownPath } from '../history/shownPath.ts';
import { ensureLabOs } from '../artifacts/labOs.ts';
import { checkK3sSource } from '../artifacts/k3s.ts';
import { parseInstallShSource } from '../artifacts/sourceSpec.ts';
import { UsageError } from '../errors.ts';
import { terminating } from '../lab/signals.ts';
import { withLabChildren } from '../matrix/childTeardown.ts';
import { expandCombinations, type Combination } from '../matrix/combination.ts';
import { capacityFor, mostAtOnce, needOf, parseJobs } from '../matrix/jobs.ts';
import { listedJobs, listJson, listText } from '../matrix/listing.ts';
import { MatrixRun } from '../matrix/matrixRun.ts';
import { passThroughArgs, passThroughOptions, passThroughUsage } from '../matrix/passThrough.ts';
import { formatShard, inShard, parseShard, parseShardCount } from '../matrix/shard.ts';
import { reportsRoot } from '../paths.ts';
import { reportDirName } from '../report/reportDir.ts';
import { listScenarios, loadScenario } from '../scenario/model.ts';
import { realHost } from '../scenario/preflight.ts';
import { parseTimeoutScale } from '../scenario/timeoutScale.ts';
import { parseCommandArgs } from './args.ts';
import type { LabCommand } from './types.ts';

/** Scenario options every combination's run gets as given (--online, --timeout-scale, --k3s-file …). */
const passedThrough = passThroughOptions(['install-sh', 'k3s-version', 'reports', 'keep', 'keep-on-failure']);

/** The options `lab matrix` takes (also read by the CI recipe's test). */
export const options = {
  'install-sh': { type: 'string', multiple: true },
  'k3s-version': { type: 'string', multiple: true },
  jobs: { type: 'string' },
  shard: { type: 'string' },
  shards: { type: 'string' },
  list: { type: 'boolean' },
  json: { type: 'boolean' },
  reports: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...passedThrough,
} as const;

const usage = `usage: lab matrix <scenario>... [--install-sh SRC]... [--k3s-version V|double]... [--jobs N|auto] [--shard I/N] [--list [--json] [--shards N]] [--reports DIR] ${passThroughUsage(passedThrough)}
  runs every combination of the scenarios, install.sh sources and k3s versions (an axis not given: the
  scenario's default), each as its own \`lab scenario … --reports <matrix dir>/<combination>\`, and writes
  one junit.xml (a testsuite per combination), report.html (linking each run's report) and matrix.json
  into DIR/<time>-matrix (default DIR: reports/). Exit 0 when every combination met its expectation.
  --jobs N|auto   at most N at once (default 1), or as many as the host's cores and memory hold
  --shard I/N     only the combinations whose id hashes to shard I of N (stable: others never move it)
  --list          print the combinations instead; --json as a CI job matrix ({"include": [...]}), one job
                  per combination, or per shard with --shards N (or the one shard given by --shard)
scenarios: ${listScenarios().join(', ')}`;

type Values = Record<string, string | boolean | string[] | undefined>;
const str = (v: Values, k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
const strs = (v: Values, k: string) => (Array.isArray(v[k]) ? (v[k] as string[]) : []);

function checkAxes(installShs: string[], k3sVersions: string[], values: Values): void {
  for (const s of installShs) {
    const src = parseInstallShSource(s);
    if (src.kind === 'file' && !existsSync(resolve(src.path))) throw new UsageError(`--install-sh ${s}: no such file (${resolve(src.path)})`);
  }
  for (const v of k3sVersions) if (v !== 'double') checkK3sSource({ kind: 'release', version: v });
  const scale = str(values, 'timeout-scale');
  if (scale !== undefined && parseTimeoutScale(scale) === undefined) throw new UsageError(`--timeout-scale must be a positive number, not '${scale}'`);
  const k3sFile = str(values, 'k3s-file');
  if (k3sFile !== undefined) {
    if (k3sVersions.length) throw new UsageError('give --k3s-version or --k3s-file, not both');
    checkK3sSource({ kind: 'file', path: k3sFile });
  }
}

async function combinationsOf(scenarios: string[], installShs: string[], k3sVersions: string[]): Promise<Combination[]> {
  const nodes = new Map<string, number>();
  for (const s of new Set(scenarios)) nodes.set(s, (await loadScenario(s)).nodes.length);
  return expandCombinations(scenarios, installShs, k3sVersions).map((c) => ({ ...c, nodes: nodes.get(c.scenario)! }));
}

export const command: LabCommand = {
  name: 'matrix',
  summary: 'run every scenario × install.sh × k3s combination (sharded, in parallel as the host allows) into one junit.xml and an index report',
  async run(argv) {
    const { values: parsed, positionals } = parseCommandArgs('matrix', argv, options);
    const values = parsed as Values;
    if (values.help) {
      console.log(usage);
      return 0;
    }
    if (positionals.length === 0) throw new UsageError(`give at least one scenario; known: ${listScenarios().join(', ')}`);
    if (values.json && !values.list) throw new UsageError('--json goes with --list');
    const shardsText = str(values, 'shards');
    if (shardsText !== undefined && !values.list) throw new UsageError('--shards N only lists the shards; run one with --shard I/N');
    const shardText = str(values, 'shard');
    if (shardText !== undefined && shardsText !== undefined) throw new UsageError('give --shard I/N or --shards N, not both');
    const shard = shardText !== undefined ? parseShard(shardText) : undefined;
    const shards = shardsText !== undefined ? parseShardCount(shardsText) : undefined;
    const jobs = parseJobs(str(values, 'jobs') ?? '1');
    const installShs = strs(values, 'install-sh');
    const k3sVersions = strs(values, 'k3s-version');
    checkAxes(installShs, k3sVersions, values);
    const passThrough = passThroughArgs(values, passedThrough);
    const all = await combinationsOf(positionals, installShs, k3sVersions);
    const split = { ...(shard ? { shard } : {}), ...(shards ? { shards } : {}) };

    if (values.list) {
      const listed = listedJobs(all, { scenarios: [...new Set(positionals)], installShs, k3sVersions, passThrough }, split);
      console.log(values.json ? listJson(listed) : listText(all, listed, split).join('\n'));
      return 0;
    }

    const combos = shard ? all.filter((c) => inShard(c.id, shard)) : all;
    const capacity = capacityFor(jobs, { cpus: availableParallelism(), memoryMiB: realHost().availableMemoryMiB() });
    const atOnce = mostAtOnce(combos.map((c) => needOf(c.nodes)), capacity);
    const matrixDir = join(resolve(str(values, 'reports') ?? reportsRoot), reportDirName(shard ? `matrix-shard-${shard.index}-of-${shard.count}` : 'matrix', new Date()));
    const meta = { startedAt: new Date().toISOString(), ...(shard ? { shard: formatShard(shard) } : {}), all: all.length, jobs: capacity.why };
    console.log(`matrix: ${combos.length} combination${combos.length === 1 ? '' : 's'}${shard ? ` in shard ${formatShard(shard)} of ${all.length}` : ''}, up to ${atOnce} at once (${capacity.why}) → ${shownPath(matrixDir)}`);
    if (jobs.kind === 'count' && atOnce > 1 && str(values, 'timeout-scale') === undefined) {
      console.log(`matrix: note: each run scales its timeouts for its own VMs only; with ${atOnce} labs at once on ${availableParallelism()} cores, pass --timeout-scale if they crowd each other`);
    }
    const matrix = new MatrixRun({ combinations: combos, matrixDir, capacity, passThrough, meta, stopped: terminating });
    if (combos.length === 0) {
      console.log(`matrix: shard ${shard ? formatShard(shard) : ''} holds none of the ${all.length} combinations: nothing to run`);
      matrix.writeOutputs();
      return 0;
    }
    // Labs running side by side would each build a missing lab OS; build it once, first.
    if (atOnce > 1 && !process.env.LAB_OS_DIR) await ensureLabOs({ onProgress: (line) => console.error(line) });
    return withLabChildren(
      (children) => matrix.run((args, logFile) => children.run(args, logFile)),
      (signal) => matrix.writeOutputs(signal),
    );
  },
};
