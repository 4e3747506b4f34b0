/** `lab render <scenario> --out DIR` — the run directory a real PXE server would hold, written atomically. */
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.ts';
import { ConfigError, formatDiagnostic } from '../ignition/diagnostics.ts';
import { renderRun } from '../ignition/renderRun.ts';
import { loadScenario } from '../scenario/model.ts';
import type { LabCommand } from './types.ts';

const usage = 'usage: lab render <scenario> --out DIR [--mirror URL] [--ssh-key FILE.pub] [--k3s-version V] [--install-sh FILE] [--lab-os-version V]';

function parse(argv: string[]): Record<string, string> {
  const opts: Record<string, string> = {};
  const valued = ['--out', '--mirror', '--ssh-key', '--k3s-version', '--install-sh', '--install-sh-url', '--lab-os-version'];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (valued.includes(arg)) {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value\n${usage}`);
      opts[arg.slice(2)] = v;
    } else if (!arg.startsWith('-') && !opts.scenario) opts.scenario = arg;
    else throw new UsageError(`unknown argument '${arg}' (${usage})`);
  }
  return opts;
}

export const command: LabCommand = {
  name: 'render',
  summary: 'render a scenario: tftp/pxelinux.cfg/<HEXIP>, tftp/ignition/*.ign and the mirror tree',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(usage);
      return 0;
    }
    const opts = parse(argv);
    if (!opts.scenario || !opts.out) throw new UsageError(usage);
    const scenario = await loadScenario(opts.scenario);
    let sshPublicKey: string | undefined;
    if (opts['ssh-key']) {
      try {
        sshPublicKey = readFileSync(opts['ssh-key'], 'utf8').trim();
      } catch {
        throw new UsageError(`cannot read SSH public key ${opts['ssh-key']}`);
      }
    }
    try {
      const run = await renderRun(scenario, {
        outDir: opts.out,
        mirrorBaseUrl: opts.mirror,
        sshPublicKey,
        k3sVersion: opts['k3s-version'],
        installShPath: opts['install-sh'],
        installShUrl: opts['install-sh-url'],
        labOsVersion: opts['lab-os-version'],
      });
      for (const n of run.nodes) {
        for (const st of Object.values(n.stages)) {
          for (const w of st.warnings) console.error(formatDiagnostic(w));
          for (const w of st.validatorWarnings) console.error(`${st.tftpPath}: ignition-validate ${w}`);
        }
      }
      console.log(`rendered ${scenario.name} (${run.nodes.length} node${run.nodes.length === 1 ? '' : 's'}) into ${run.outDir}`);
      for (const n of run.nodes) console.log(`  ${n.node.name}  ${n.node.ip}  ${n.pxelinuxConfigPath}  ${n.stages.pxe.tftpPath}  ${n.stages.boot.tftpPath}`);
      return 0;
    } catch (err) {
      if (err instanceof ConfigError) {
        const more = err.diagnostics.length - 1;
        console.error(`lab: ${formatDiagnostic(err.diagnostics[0]!)}${more ? ` (and ${more} more: lab lint ${opts.scenario} lists them)` : ''}`);
        return 2;
      }
      throw err;
    }
  },
};
