/**
 * YAML (Butane `variant: flatcar` or ct's Container Linux Config) → Ignition 3.x JSON, like
 * `butane` / `ct`: errors carry the YAML path and line:column; warnings (Butane's) come back alongside.
 */
import { ConfigError, type Diagnostic } from './diagnostics.ts';
import { emitIgnition } from './emit.ts';
import type { IgnitionConfig } from './ignitionTypes.ts';
import { readButane } from './readButane.ts';
import { readClc } from './readClc.ts';
import type { SourceConfig } from './sourceModel.ts';
import { parseYaml, type YNode } from './yamlTree.ts';

export interface TranspileOptions {
  /** Shown in diagnostics: the file name, or `stdin`. */
  file?: string;
  /** Directory for `local:` contents (Butane's --files-dir). */
  filesDir?: string;
}

export interface Transpiled {
  ignition: IgnitionConfig;
  source: SourceConfig;
  warnings: Diagnostic[];
}

function hasKey(root: YNode, key: string): boolean {
  return root.kind === 'map' && root.entries.some((e) => e.key === key);
}

/** Reads the YAML into the located source model without emitting JSON (what lint needs). */
export function readConfig(yamlText: string, options: TranspileOptions = {}): { source: SourceConfig; diagnostics: Diagnostic[]; emit: () => IgnitionConfig } {
  const file = options.file ?? 'stdin';
  const root = parseYaml(yamlText, file);
  if (root.kind !== 'map') {
    throw new ConfigError([{ severity: 'error', loc: root.loc, message: `a config must be a YAML mapping, got ${root.kind === 'null' ? 'an empty document' : `a ${root.kind}`}` }]);
  }
  // Butane configs name their variant; ct's configs have neither key.
  if (hasKey(root, 'variant') || hasKey(root, 'version')) {
    const { config, ignitionVersion, decoder } = readButane(root, file, options);
    return { source: config, diagnostics: decoder.diagnostics, emit: () => emitIgnition(config, ignitionVersion, decoder) };
  }
  const { config, decoder } = readClc(root, file, options);
  return { source: config, diagnostics: decoder.diagnostics, emit: () => emitIgnition(config, '3.3.0', decoder) };
}

export function transpile(yamlText: string, options: TranspileOptions = {}): Transpiled {
  const { source, diagnostics, emit } = readConfig(yamlText, options);
  const ignition = emit();
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new ConfigError(errors);
  return { ignition, source, warnings: diagnostics.filter((d) => d.severity === 'warning') };
}

/** JSON as written to .ign files: stable, readable, newline-terminated. */
export function ignitionJson(config: IgnitionConfig): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}
