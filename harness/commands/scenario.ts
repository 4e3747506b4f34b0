/** `npm run scenario <name>`: exit 0 pass, 1 an assertion failed (or the run failed), 2 bad input or environment. */
import { relative } from 'node:path';
import { UsageError } from '../errors.ts';
import { parseInstallShSource } from '../artifacts/sourceSpec.ts';
import type { K3sSource } from '../artifacts/k3s.ts';
import { exitCodeOf } from '../report/result.ts';
import { verdictLines } from '../report/verdictText.ts';
import { runLabScenario, type KeptLab } from '../scenario/labRun.ts';
import type { RunResult } from '../report/result.ts';
import { listScenarios } from '../scenario/model.ts';
import { formatProblems } from '../scenario/preflight.ts';
import { parseTimeoutScale } from '../scenario/timeoutScale.ts';
import { parseCommandArgs } from './args.ts';
import type { LabCommand } from './types.ts';

const usage = `usage: lab scenario <name> [--timeout-scale N] [--k3s-version vX.Y.Z+k3sN | --k3s-file PATH] [--install-sh fixture[:MODE]|PATH|URL|REF] [--online] [--reuse-install] [--reports DIR] [--keep | --keep-on-failure]
  --reuse-install  start each node from the install an earlier run kept (the disk as flatcar-install left it; every run keeps them) when one matches: the PXE stage is skipped, the first disk boot, install.sh and the join run
  --keep, --keep-on-failure  leave the lab and its nodes up after the verdict (always / when the run did not pass) and print how to get in; Ctrl-C tears it down
scenarios: ${listScenarios().join(', ')}`;

function k3sSource(version?: string, file?: string): K3sSource {
  if (version && file) throw new UsageError('give --k3s-version or --k3s-file, not both');
  if (file) return { kind: 'file', path: file };
  if (version) return { kind: 'release', version };
  return { kind: 'double' };
}

/** The options `lab scenario` takes: also what `lab matrix` and `lab bisect` pass through, and what the CI recipe's test checks. */
export const options = {
  'timeout-scale': { type: 'string' },
  'k3s-version': { type: 'string' },
  'k3s-file': { type: 'string' },
  'install-sh': { type: 'string' },
  online: { type: 'boolean' },
  'reuse-install': { type: 'boolean' },
  keep: { type: 'boolean' },
  'keep-on-failure': { type: 'boolean' },
  reports: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const command: LabCommand = {
  name: 'scenario',
  summary: 'boot a scenario\'s nodes by PXE, watch them install and join, assert, and write a report',
  async run(argv) {
    const { values, positionals } = parseCommandArgs('scenario', argv, options);
    if (values.help) {
      console.log(usage);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError(`give exactly one scenario${positionals.length ? ` (got ${positionals.join(' ')})` : ''}; known: ${listScenarios().join(', ')}`);
    let scale: number | undefined;
    if (values['timeout-scale'] !== undefined) {
      scale = parseTimeoutScale(values['timeout-scale']);
      if (scale === undefined) throw new UsageError(`--timeout-scale must be a positive number, not '${values['timeout-scale']}'`);
    }
    if (values.keep && values['keep-on-failure']) throw new UsageError('give --keep or --keep-on-failure, not both');
    const keep = values.keep ? ('always' as const) : values['keep-on-failure'] ? ('on-failure' as const) : undefined;
    const outcome = await runLabScenario({
      ...(keep ? { keep, onKept: (how: KeptLab, result: RunResult, reportPath: string) => console.log([...verdictLines(result), `report: ${relative(process.cwd(), reportPath) || reportPath}/report.html`, ...keptLines(how)].join('\n')) } : {}),
      scenario: positionals[0]!,
      timeoutScale: scale,
      k3s: k3sSource(values['k3s-version'], values['k3s-file']),
      ...(values['install-sh'] !== undefined ? { installSh: parseInstallShSource(values['install-sh']) } : {}),
      online: values.online,
      reuseInstall: values['reuse-install'],
      reportsDir: values.reports,
    });
    if (outcome.kind === 'preflight') {
      console.error(formatProblems(outcome.problems));
      return 2;
    }
    const { result, reportPath } = outcome;
    console.log(verdictLines(result).join('\n'));
    console.log(`report: ${relative(process.cwd(), reportPath) || reportPath}/report.html (${(result.durationMs / 1000).toFixed(0)} s)`);
    return exitCodeOf(result);
  },
};

/** How to get into a kept lab, as kola's --ssh-on-test-failure and Talos's --skip-teardown leave it. */
function keptLines(how: KeptLab): string[] {
  return [
    'the lab is kept up; Ctrl-C tears it down. Get in with:',
    `  shell in the lab's network:  ${how.nsenter} bash`,
    ...how.nodes.map((n) => `  ssh to ${n.name}:  ${how.nsenter} ssh -i ${how.sshKey} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null core@${n.ip}`),
    how.kubeconfig ? `  kubectl:  ${how.nsenter} kubectl --kubeconfig ${how.kubeconfig} get nodes` : '  kubectl: no kubeconfig (the API was never read)',
  ];
}
