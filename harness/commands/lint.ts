/** `lab lint <files…|scenario>` — findings as `file:line: rule: message (fix)`; exit 1 on errors. */
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.ts';
import { formatFinding, lint } from '../ignition/lint/lint.ts';
import { clusterRules, configRules } from '../ignition/lint/rules/index.ts';
import { fileTargets, scenarioTargets, type Targets } from '../ignition/lint/targets.ts';
import { listScenarios, loadScenario } from '../scenario/model.ts';
import type { LabCommand } from './types.ts';

const usage = 'usage: lab lint <scenario> | lab lint FILE.yaml… (files are linted as the nodes of one cluster) | lab lint --rules';

export const command: LabCommand = {
  name: 'lint',
  summary: 'check Butane/CLC configs or a scenario for the mistakes that break these bootstraps',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h') || argv.length === 0) {
      console.log(usage);
      return argv.length === 0 ? 2 : 0;
    }
    if (argv.includes('--rules')) {
      for (const r of [...configRules, ...clusterRules]) console.log(`${r.name.padEnd(20)} ${r.description}`);
      return 0;
    }
    let targets: Targets;
    if (argv.length === 1 && !existsSync(argv[0]!) && listScenarios().includes(argv[0]!)) {
      targets = scenarioTargets(await loadScenario(argv[0]!));
    } else {
      const missing = argv.find((a) => !existsSync(a));
      if (missing) throw new UsageError(`'${missing}' is neither a file nor a scenario (known: ${listScenarios().join(', ')})`);
      targets = fileTargets(argv);
    }
    const { findings, allowed } = lint(targets.ctx);
    const all = [...targets.configErrors, ...findings];
    for (const f of all) console.log(formatFinding(f));
    const errors = all.filter((f) => f.severity === 'error').length;
    const warnings = all.length - errors;
    console.error(`lab lint: ${errors} error(s), ${warnings} warning(s)${allowed.length ? `, ${allowed.length} allowed by lint-allow` : ''} in ${targets.ctx.targets.length} config(s)`);
    return errors ? 1 : 0;
  },
};
