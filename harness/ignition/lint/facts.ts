/** What lint rules ask of a config: its units parsed, their environment with source lines, the k3s install unit. */
import { editDistance } from '../nearest.ts';
import type { SourceText, SourceUnit } from '../sourceModel.ts';
import { parseUnit, splitQuoted, unitEnvironment, unitValues, type UnitEntry } from '../systemdUnit.ts';
import { documentedVariables } from './installShEnv.ts';
import type { LintTarget } from './types.ts';

/** Source line of line `index` of a text block (exact for `|` blocks, else the block's first line). */
export function lineIn(text: SourceText, index: number): number {
  return text.exactLines ? text.firstLine + index : text.loc.line;
}

export interface ParsedUnit {
  unit: SourceUnit;
  entries: UnitEntry[];
  /** Source line of a unit entry. */
  lineOf(entry: { line: number }): number;
}

export function parsedUnits(t: LintTarget): ParsedUnit[] {
  return t.source.units
    .filter((u) => u.contents)
    .map((unit) => ({ unit, entries: parseUnit(unit.contents!.value), lineOf: (e: { line: number }) => lineIn(unit.contents!, e.line) }));
}

const normalize = (name: string): string => name.toUpperCase().replace(/[^A-Z0-9]/g, '');

/** The documented name `name` was probably meant to be, if it is not itself documented. */
export function intendedVariable(name: string): string | undefined {
  if (documentedVariables.includes(name)) return undefined;
  const same = documentedVariables.find((d) => normalize(d) === normalize(name));
  if (same) return same;
  if (!/K3S|K3|INSTALL|GITHUB/i.test(name)) return undefined;
  let best: string | undefined;
  let bestDistance = 3;
  for (const d of documentedVariables) {
    const dist = editDistance(name.toUpperCase(), d);
    if (dist < bestDistance) {
      best = d;
      bestDistance = dist;
    }
  }
  return best;
}

export interface EnvSetting {
  /** As written. */
  name: string;
  /** The documented name it stands for (itself if documented). */
  meant: string;
  value: string;
  line: number;
  unit: string;
}

export function environment(t: LintTarget): EnvSetting[] {
  return parsedUnits(t).flatMap((p) =>
    unitEnvironment(p.entries).map((e) => ({ name: e.name, meant: intendedVariable(e.name) ?? e.name, value: e.value, line: p.lineOf(e), unit: p.unit.name.value })),
  );
}

/** Units that run install.sh: they fetch-and-run a script from an install.sh URL or are named for it. */
export function k3sInstallUnits(t: LintTarget): ParsedUnit[] {
  const scriptPaths = t.source.files.filter((f) => /get\.k3s\.io|install\.sh/.test(f.contents?.source?.value ?? '')).map((f) => f.path.value);
  return parsedUnits(t).filter((p) => {
    const exec = unitValues(p.entries, 'Service', 'ExecStart').map((e) => e.value).join(' ');
    return /k3s-install/.test(p.unit.name.value) || scriptPaths.some((s) => exec.includes(s)) || /install\.sh|get\.k3s\.io/.test(exec);
  });
}

/** install.sh evals INSTALL_K3S_EXEC, so shell quotes inside it are removed before k3s sees the words. */
export function execWords(value: string): string[] {
  return splitQuoted(value);
}

/** The value of `--server`/`-s` in INSTALL_K3S_EXEC words, if any. */
export function serverFlag(words: string[]): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '--server' || w === '-s') return words[i + 1] ?? '';
    if (w.startsWith('--server=')) return w.slice('--server='.length);
  }
  return undefined;
}

/** What install.sh sees from one config: only correctly named variables count. */
export interface K3sIntent {
  target: LintTarget;
  token?: EnvSetting;
  tokenFile?: EnvSetting;
  exec?: EnvSetting;
  url?: EnvSetting;
  clusterInit: boolean;
  server?: string;
}

export function k3sIntent(t: LintTarget): K3sIntent | undefined {
  const installUnits = k3sInstallUnits(t);
  if (installUnits.length === 0) return undefined;
  const names = new Set(installUnits.map((u) => u.unit.name.value));
  const env = environment(t).filter((e) => names.has(e.unit));
  // For comparing tokens, a near-miss name still shows what the user meant to share.
  const token = env.find((e) => e.meant === 'K3S_TOKEN');
  const tokenFile = env.find((e) => e.name === 'K3S_TOKEN_FILE');
  const exec = env.find((e) => e.name === 'INSTALL_K3S_EXEC');
  const url = env.find((e) => e.name === 'K3S_URL');
  const words = exec ? execWords(exec.value) : [];
  const clusterInit = words.includes('--cluster-init') || env.some((e) => e.name === 'K3S_CLUSTER_INIT' && /^(true|1)$/i.test(e.value));
  return { target: t, token, tokenFile, exec, url, clusterInit, server: serverFlag(words) };
}
