/**
 * Which combination a run was: its scenario, the install.sh it ran and the k3s it served, written
 * as the `--install-sh` / `--k3s-version` values a person gives. result.json records each
 * artifact's description (what the resolver said, harness/artifacts/installSh.ts and k3s.ts), so
 * the source is read back from those words; a cache hit and a download of the same source are
 * the same combination. A description in no known form stands for itself.
 */
import type { RunResult } from '../report/result.ts';

export interface RunCombination {
  scenario: string;
  /** `fixture`, `fixture:pr13712`, a URL, a k3s ref or a path. */
  installSh: string;
  /** `double`, a release version, or a path to a binary. */
  k3s: string;
  /** The install.sh's sha256, when recorded: the same source can serve a new script (get.k3s.io). */
  installShSha256?: string;
}

export function installShSourceOf(description: string): string {
  const d = description.trim();
  const file = /\bfrom local file (.+)$/.exec(d);
  if (file) return file[1]!;
  const mode = /^install\.sh FIXTURE in its (\S+) mode\b/.exec(d);
  if (mode) return `fixture:${mode[1]}`;
  if (/^install\.sh FIXTURE\b/.test(d)) return 'fixture';
  const ref = /^install\.sh of k3s-io\/k3s@(\S+?)(?: \((?:cached|downloaded)\))?$/.exec(d);
  if (ref) return ref[1]!;
  const url = /^install\.sh from (https?:\/\/\S+?)(?: \(cached\))?$/.exec(d);
  if (url) return url[1]!;
  return d;
}

export function k3sSourceOf(description: string): string {
  const d = description.trim();
  const file = /\bfrom local file (.+)$/.exec(d);
  if (file) return file[1]!;
  if (/^K3s double\b/.test(d)) return 'double';
  const release = /^k3s (v\d+\.\d+\.\d+(?:-rc\d+)?\+k3s\d+) (?:from GitHub releases|downloaded from)\b/.exec(d);
  if (release) return release[1]!;
  return d;
}

export function combinationOf(result: Pick<RunResult, 'scenario' | 'artifacts'>): RunCombination {
  const artifact = (name: string) => result.artifacts.find((a) => a.name === name);
  const installSh = artifact('install.sh');
  const k3s = artifact('k3s');
  return {
    scenario: result.scenario,
    installSh: installSh ? installShSourceOf(installSh.source) : 'unknown',
    k3s: k3s ? k3sSourceOf(k3s.source) : 'unknown',
    ...(installSh?.sha256 ? { installShSha256: installSh.sha256 } : {}),
  };
}

/** One key per series: runs of the same scenario with the same install.sh source and k3s. */
export function seriesKey(c: RunCombination): string {
  return `${c.scenario} · install.sh ${c.installSh} · k3s ${c.k3s}`;
}
