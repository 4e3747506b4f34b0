/**
 * One cell of a matrix: a scenario with an install.sh source and a k3s version, each either given
 * or left to the scenario's default. Its id is made from its own values only (never from its place
 * in a list), so it names the same combination across nights, shards and CI jobs: it is the
 * folder name of its runs, its JUnit testsuite and what its shard is hashed from.
 */
import { createHash } from 'node:crypto';

export interface CombinationSpec {
  scenario: string;
  /** As `--install-sh` takes it; absent: the scenario's own (its `installSh`, else the fixture). */
  installSh?: string;
  /** As `--k3s-version` takes it, or `double`; absent: the K3s double. */
  k3sVersion?: string;
}

export interface Combination extends CombinationSpec {
  id: string;
  /** How many machines it boots (its scenario's nodes): what it needs from the host. */
  nodes: number;
}

/**
 * A value as it can stand in a file name, a JUnit name and a CI artifact name: letters, digits and
 * `.+-`; anything else becomes `-` and a short hash of the whole value is added, so two values
 * that differ only there (`a/b`, `a:b`) keep different ids.
 */
export function idPart(value: string): string {
  const slug = value.replace(/[^A-Za-z0-9.+-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  if (slug === value) return slug;
  return `${slug || 'x'}-${createHash('sha256').update(value).digest('hex').slice(0, 6)}`;
}

/** `single-node`, `single-node__install-sh=fixture-pr13712-1b2c3d__k3s=v1.32.4+k3s1`. */
export function combinationId(c: CombinationSpec): string {
  return [c.scenario, ...(c.installSh !== undefined ? [`install-sh=${idPart(c.installSh)}`] : []), ...(c.k3sVersion !== undefined ? [`k3s=${idPart(c.k3sVersion)}`] : [])].join('__');
}

/** Every scenario × install.sh × k3s version, in the order given; an axis not given is one default value. Duplicates are dropped. */
export function expandCombinations(scenarios: readonly string[], installShs: readonly string[], k3sVersions: readonly string[]): (CombinationSpec & { id: string })[] {
  const out = new Map<string, CombinationSpec & { id: string }>();
  const ish = installShs.length ? installShs : [undefined];
  const k3s = k3sVersions.length ? k3sVersions : [undefined];
  for (const scenario of scenarios) {
    for (const installSh of ish) {
      for (const k3sVersion of k3s) {
        const spec: CombinationSpec = { scenario, ...(installSh !== undefined ? { installSh } : {}), ...(k3sVersion !== undefined ? { k3sVersion } : {}) };
        const id = combinationId(spec);
        if (!out.has(id)) out.set(id, { ...spec, id });
      }
    }
  }
  return [...out.values()];
}
