/**
 * Ignition 3's config merge, for the sections the harness overlay touches: lists of files,
 * directories, links, units, drop-ins, users and groups are keyed (path or name) and an entry in the
 * child overrides the parent's field by field; lists of plain values (ssh keys, groups) are unioned.
 */
import type { IgnitionConfig } from './ignitionTypes.ts';

const listKeys: Record<string, string> = {
  files: 'path',
  directories: 'path',
  links: 'path',
  units: 'name',
  dropins: 'name',
  users: 'name',
  groups: 'name',
  merge: 'source',
};

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mergeValue(parent: Json, child: Json, key: string): Json {
  if (Array.isArray(parent) && Array.isArray(child)) {
    const id = listKeys[key];
    if (id && [...parent, ...child].every(isObject)) {
      const out = parent.map((p) => ({ ...(p as Record<string, Json>) }));
      for (const c of child as Record<string, Json>[]) {
        const i = out.findIndex((p) => p[id] === c[id]);
        if (i >= 0) out[i] = mergeObject(out[i]!, c);
        else out.push(c);
      }
      return out;
    }
    return [...parent, ...child.filter((c) => !parent.includes(c))];
  }
  if (isObject(parent) && isObject(child)) return mergeObject(parent, child);
  return child === undefined ? parent : child;
}

function mergeObject(parent: Record<string, Json>, child: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = { ...parent };
  for (const [k, v] of Object.entries(child)) out[k] = k in parent ? mergeValue(parent[k], v, k) : v;
  return out;
}

export function mergeIgnition(parent: IgnitionConfig, child: IgnitionConfig): IgnitionConfig {
  const merged = mergeObject(parent as unknown as Record<string, Json>, child as unknown as Record<string, Json>) as unknown as IgnitionConfig;
  merged.ignition = { ...merged.ignition, version: parent.ignition.version };
  return merged;
}
