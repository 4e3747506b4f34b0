/** `lab bisect`: the first commit of a local checkout whose install.sh makes a scenario miss its expectation. */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BisectRun } from '../bisect/bisectRun.ts';
import { Git } from '../bisect/git.ts';
import { scenarioJudge } from '../bisect/scenarioJudge.ts';
import { UsageError } from '../errors.ts';
import { ownedTempDir } from '../lab/tempDirs.ts';
import { withLabChildren } from '../matrix/childTeardown.ts';
import { passThroughArgs, passThroughOptions, passThroughUsage } from '../matrix/passThrough.ts';
import { reportsRoot } from '../paths.ts';
import { reportDirName } from '../report/reportDir.ts';
import { listScenarios } from '../scenario/model.ts';
import { parseCommandArgs } from './args.ts';
import type { LabCommand } from './types.ts';

/** Scenario options each step's run gets as given (--k3s-version, --online, --timeout-scale …). */
const passedThrough = passThroughOptions(['install-sh', 'reports', 'keep', 'keep-on-failure']);

/** The options `lab bisect` takes (also read by the CI recipe's test). */
export const options = {
  repo: { type: 'string' },
  path: { type: 'string' },
  good: { type: 'string' },
  bad: { type: 'string' },
  scenario: { type: 'string' },
  reports: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...passedThrough,
} as const;

const usage = `usage: lab bisect --repo PATH [--path install.sh] --good REV --bad REV [--scenario single-node] [--reports DIR] ${passThroughUsage(passedThrough)}
  offline, over a local checkout (a k3s clone): runs the scenario with the file at the good revision
  (it must meet its expectation), then binary-searches the commits on the ancestry path good..bad that
  changed the file — each run \`lab scenario <scenario> --install-sh <that revision's file>\` — and prints
  the first bad commit with its run's cause line. At most ⌈log2 N⌉ + 1 runs for N revisions (good
  included). Report: DIR/<time>-bisect/report.html (default DIR: reports/).
scenarios: ${listScenarios().join(', ')}`;

type Values = Record<string, string | boolean | string[] | undefined>;

export const command: LabCommand = {
  name: 'bisect',
  summary: "find the first commit of a local git checkout whose install.sh makes a scenario miss its expectation (binary search, each step a run)",
  async run(argv) {
    const { values: parsed, positionals } = parseCommandArgs('bisect', argv, options);
    const values = parsed as Values;
    if (values.help) {
      console.log(usage);
      return 0;
    }
    if (positionals.length) throw new UsageError(`bisect takes no arguments, not '${positionals.join(' ')}' (see: lab bisect --help)`);
    for (const need of ['repo', 'good', 'bad'] as const) if (typeof values[need] !== 'string') throw new UsageError(`give --${need} (see: lab bisect --help)`);
    const scenario = (values.scenario as string | undefined) ?? 'single-node';
    if (!listScenarios().includes(scenario)) throw new UsageError(`unknown scenario '${scenario}' (known: ${listScenarios().join(', ')})`);
    const git = await Git.open(values.repo as string);
    const reportDir = join(resolve((values.reports as string | undefined) ?? reportsRoot), reportDirName('bisect', new Date()));
    const passThrough = passThroughArgs(values, passedThrough);
    const bisect = new BisectRun({ git, path: (values.path as string | undefined) ?? 'install.sh', good: values.good as string, bad: values.bad as string, scenario, passThrough, reportDir });
    const plan = await bisect.plan();
    const tempDir = ownedTempDir('bisect');
    const removeTemp = () => rmSync(tempDir, { recursive: true, force: true });
    try {
      return await withLabChildren(
        (children) => bisect.run(scenarioJudge({ git, path: plan.path, scenario, passThrough, tempDir, runsDir: join(reportDir, 'runs'), runChild: (args, log) => children.run(args, log) })),
        (signal) => {
          bisect.stopped(signal);
          removeTemp();
        },
      );
    } finally {
      removeTemp();
    }
  },
};
