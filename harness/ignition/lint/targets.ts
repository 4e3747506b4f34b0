/** What to lint: loose config files (one cluster), or a scenario's templates rendered per node without the overlay. */
import { readFileSync } from 'node:fs';
import { relative, resolve, dirname } from 'node:path';
import { projectRoot } from '../../paths.ts';
import { nodeTemplates, stages, topologyOf, type Scenario } from '../../scenario/model.ts';
import { ConfigError } from '../diagnostics.ts';
import { nodeVariables } from '../nodeVariables.ts';
import { renderTemplate } from '../template.ts';
import { readConfig } from '../transpile.ts';
import type { Finding, LintContext, LintTarget } from './types.ts';

export interface Targets {
  ctx: LintContext;
  /** Configs that could not be read at all (syntax, unknown keys, wrong types): findings of rule `config`. */
  configErrors: Finding[];
}

function configFindings(err: ConfigError): Finding[] {
  return err.diagnostics.map((d) => ({ rule: 'config', severity: d.severity, file: d.loc.file, line: d.loc.line, message: `${d.loc.path ? `${d.loc.path}: ` : ''}${d.message}`, fix: 'see the Butane/CLC specification' }));
}

function readTarget(text: string, file: string, filesDir: string, extra: Omit<LintTarget, 'file' | 'text' | 'source'>, errors: Finding[]): LintTarget | undefined {
  try {
    const { source, diagnostics } = readConfig(text, { file, filesDir });
    const fatal = diagnostics.filter((d) => d.severity === 'error');
    if (fatal.length) {
      errors.push(...configFindings(new ConfigError(fatal)));
      return undefined;
    }
    return { file, text, source, ...extra };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    errors.push(...configFindings(err));
    return undefined;
  }
}

export function fileTargets(paths: string[]): Targets {
  const configErrors: Finding[] = [];
  const targets = paths.flatMap((p) => {
    const text = readFileSync(p, 'utf8');
    const placeholder = text.split('\n').findIndex((l) => /\{\{\s*[A-Za-z_]\w*\s*\}\}/.test(l));
    if (placeholder >= 0) {
      configErrors.push({ rule: 'config', severity: 'error', file: p, line: placeholder + 1, message: 'this is a template ({{ … }} placeholders): it is only a config once a scenario fills it in', fix: `lint the scenario that uses it, e.g. lab lint three-node-ha` });
      return [];
    }
    return readTarget(text, p, dirname(resolve(p)), {}, configErrors) ?? [];
  });
  return { ctx: { targets }, configErrors };
}

/** A stand-in for the boot config's hash: lint reads templates, it does not render the boot stage. */
const placeholderHash = `sha512-${'0'.repeat(128)}`;

export function scenarioTargets(s: Scenario): Targets {
  const configErrors: Finding[] = [];
  const targets: LintTarget[] = [];
  for (const node of s.nodes) {
    for (const stage of stages) {
      const templatePath = resolve(projectRoot, nodeTemplates(s, node)[stage]);
      const file = relative(process.cwd(), templatePath) || templatePath;
      let text: string;
      try {
        text = renderTemplate(readFileSync(templatePath, 'utf8'), { ...nodeVariables(s, node), boot_ignition_hash: placeholderHash }, file);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        configErrors.push(...configFindings(err));
        continue;
      }
      const t = readTarget(text, file, dirname(templatePath), { node: { name: node.name, mac: node.mac, ip: node.ip, role: node.role }, stage }, configErrors);
      if (t) targets.push(t);
    }
  }
  return { ctx: { targets, topology: topologyOf(s) }, configErrors };
}
