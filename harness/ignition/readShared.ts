/** Readers shared by the Butane and CLC front ends: they name fields the same way for these sections. */
import { readFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { Decoder, Located } from './decoder.ts';
import type { Location } from './diagnostics.ts';
import { decimalModeMessage, intendedOctalMode } from './mode.ts';
import type { SourceDropin, SourceGroup, SourceMode, SourceOwner, SourceText, SourceUnit, SourceUser } from './sourceModel.ts';
import type { YNode } from './yamlTree.ts';

export interface ReadOptions {
  /** Directory that `local:` paths are relative to (Butane's --files-dir). */
  filesDir?: string;
  /** URL schemes a resource may use. */
  schemes: readonly string[];
}

export function readOwner(d: Decoder, node: YNode | undefined): SourceOwner | undefined {
  if (!node) return undefined;
  const m = d.map(node, ['id', 'name']);
  if (!m) return undefined;
  const id = d.int(m.get('id'));
  const name = d.str(m.get('name'));
  if (id && name) d.error(node.loc, 'set either id or name, not both');
  return { id: id?.value, name: name?.value };
}

export function readMode(d: Decoder, node: YNode | undefined, isDirectory: boolean): SourceMode | undefined {
  const mode = d.int(node);
  if (!mode) return undefined;
  if (mode.value < 0 || mode.value > 0o7777) {
    d.error(mode.loc, `mode ${mode.raw} is out of range (0 to 07777)`);
    return undefined;
  }
  const intended = intendedOctalMode(mode.value, isDirectory);
  if (intended !== undefined) d.warn(mode.loc, decimalModeMessage(mode.value, intended));
  return mode;
}

export function readAbsolutePath(d: Decoder, node: YNode | undefined, parent: YNode, key = 'path'): Located<string> | undefined {
  const path = d.required(d.str(node), parent, key);
  if (path && !path.value.startsWith('/')) d.error(path.loc, `path '${path.value}' must be absolute`);
  return path;
}

export function checkUrl(d: Decoder, url: Located<string>, schemes: readonly string[]): void {
  let parsed: URL;
  try {
    parsed = new URL(url.value);
  } catch {
    d.error(url.loc, `'${url.value}' is not a valid URL`);
    return;
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  if (!schemes.includes(scheme)) d.error(url.loc, `URL scheme '${scheme}' is not supported (use ${schemes.join(', ')})`);
}

const hashLengths: Record<string, number> = { sha512: 128, sha256: 64 };

/** Checks `sha512-<hex>` / `sha256-<hex>` the way Ignition does: known function, right length, hex. */
export function checkHash(d: Decoder, hash: Located<string>): void {
  const m = /^([a-z0-9]+)-(.*)$/.exec(hash.value);
  const expected = m ? hashLengths[m[1]!] : undefined;
  if (!m || expected === undefined) {
    d.error(hash.loc, `hash '${hash.value}' must be sha512-<hex> or sha256-<hex>`);
  } else if (m[2]!.length !== expected || !/^[0-9a-f]+$/i.test(m[2]!)) {
    d.error(hash.loc, `${m[1]} sum must be ${expected} hex digits, got ${m[2]!.length} characters`);
  }
}

export function readLocalFile(d: Decoder, local: Located<string>, filesDir: string | undefined): string | undefined {
  if (!filesDir) {
    d.error(local.loc, `local path '${local.value}' needs a files directory (--files-dir)`);
    return undefined;
  }
  const base = resolve(filesDir);
  const full = resolve(base, local.value);
  if (full !== base && !full.startsWith(base + sep)) {
    d.error(local.loc, `local path '${local.value}' escapes the files directory`);
    return undefined;
  }
  try {
    return readFileSync(full, 'utf8');
  } catch {
    d.error(local.loc, `cannot read local file '${local.value}' in ${filesDir}`);
    return undefined;
  }
}

const unitSuffixes = ['.service', '.socket', '.device', '.mount', '.automount', '.swap', '.target', '.path', '.timer', '.snapshot', '.slice', '.scope'];

export interface UnitKeys {
  /** Butane 1.1.0 adds contents_local; ct has the deprecated `enable`. */
  extra: readonly string[];
  dropinExtra: readonly string[];
}

function textFromLocal(d: Decoder, node: YNode | undefined, filesDir: string | undefined): SourceText | undefined {
  const local = d.str(node);
  if (!local) return undefined;
  const value = readLocalFile(d, local, filesDir);
  return value === undefined ? undefined : { value, loc: local.loc, firstLine: 1, exactLines: false };
}

export function readUnits(d: Decoder, node: YNode | undefined, keys: UnitKeys, filesDir: string | undefined): SourceUnit[] {
  const units: SourceUnit[] = [];
  const seen = new Map<string, Location>();
  for (const item of d.list(node)) {
    const m = d.map(item, ['name', 'enabled', 'mask', 'contents', 'dropins', ...keys.extra]);
    if (!m) continue;
    const name = d.required(d.str(m.get('name')), item, 'name');
    if (!name) continue;
    if (!unitSuffixes.some((s) => name.value.endsWith(s))) d.error(name.loc, `unit name '${name.value}' has no valid unit type suffix (e.g. .service)`);
    if (seen.has(name.value)) d.error(name.loc, `unit '${name.value}' is defined twice`);
    seen.set(name.value, name.loc);
    const enabled = d.bool(m.get('enabled')) ?? d.bool(m.get('enable'));
    let contents = d.text(m.get('contents'));
    const local = textFromLocal(d, m.get('contents_local'), filesDir);
    if (contents && local) d.error(item.loc, 'set either contents or contents_local, not both');
    contents ??= local;
    const dropins: SourceDropin[] = [];
    for (const di of d.list(m.get('dropins'))) {
      const dm = d.map(di, ['name', 'contents', ...keys.dropinExtra]);
      if (!dm) continue;
      const dname = d.required(d.str(dm.get('name')), di, 'name');
      if (!dname) continue;
      if (!dname.value.endsWith('.conf')) d.error(dname.loc, `drop-in name '${dname.value}' must end in .conf`);
      dropins.push({ loc: di.loc, name: dname, contents: d.text(dm.get('contents')) ?? textFromLocal(d, dm.get('contents_local'), filesDir) });
    }
    units.push({ loc: item.loc, name, enabled: enabled?.value, mask: d.bool(m.get('mask'))?.value, contents, dropins });
  }
  return units;
}

const userKeys = ['name', 'password_hash', 'ssh_authorized_keys', 'uid', 'gecos', 'home_dir', 'no_create_home', 'primary_group', 'groups', 'no_user_group', 'no_log_init', 'shell', 'system'];

export function readUsers(d: Decoder, node: YNode | undefined, extraKeys: readonly string[], filesDir: string | undefined): SourceUser[] {
  const users: SourceUser[] = [];
  for (const item of d.list(node)) {
    const m = d.map(item, [...userKeys, ...extraKeys]);
    if (!m) continue;
    const name = d.required(d.str(m.get('name')), item, 'name');
    if (!name) continue;
    if (m.has('create')) d.error(m.get('create')!.loc, "'create' is deprecated in ct and has no Ignition 3 equivalent; move its fields up into the user");
    const keys = d.strings(m.get('ssh_authorized_keys')).map((k) => k.value);
    const localKeys = d.str(m.get('ssh_authorized_keys_local'));
    if (localKeys) {
      const text = readLocalFile(d, localKeys, filesDir);
      if (text) keys.push(...text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
    }
    users.push({
      loc: item.loc,
      name,
      passwordHash: d.str(m.get('password_hash'))?.value,
      sshAuthorizedKeys: keys,
      uid: d.int(m.get('uid'))?.value,
      gecos: d.str(m.get('gecos'))?.value,
      homeDir: d.str(m.get('home_dir'))?.value,
      noCreateHome: d.bool(m.get('no_create_home'))?.value,
      primaryGroup: d.str(m.get('primary_group'))?.value,
      groups: d.strings(m.get('groups')).map((g) => g.value),
      noUserGroup: d.bool(m.get('no_user_group'))?.value,
      noLogInit: d.bool(m.get('no_log_init'))?.value,
      shell: d.str(m.get('shell'))?.value,
      system: d.bool(m.get('system'))?.value,
    });
  }
  return users;
}

export function readGroups(d: Decoder, node: YNode | undefined, extraKeys: readonly string[]): SourceGroup[] {
  const groups: SourceGroup[] = [];
  for (const item of d.list(node)) {
    const m = d.map(item, ['name', 'gid', 'password_hash', 'system', ...extraKeys]);
    if (!m) continue;
    const name = d.required(d.str(m.get('name')), item, 'name');
    if (!name) continue;
    groups.push({ loc: item.loc, name, gid: d.int(m.get('gid'))?.value, passwordHash: d.str(m.get('password_hash'))?.value, system: d.bool(m.get('system'))?.value });
  }
  return groups;
}

/** Keys that are valid in the dialect but that this transpiler does not translate: an error, never silently dropped. */
export function rejectUnsupported(d: Decoder, m: Map<string, YNode>, keys: readonly string[], dialect: string): void {
  for (const key of keys) {
    const node = m.get(key);
    if (node && node.kind !== 'null') d.error(node.loc, `'${key}' is valid ${dialect} but not supported by the lab's transpiler`);
  }
}
