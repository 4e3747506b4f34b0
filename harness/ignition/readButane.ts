/** Butane `variant: flatcar` (1.0.0 → Ignition 3.3.0, 1.1.0 → 3.4.0) into the source model. */
import { Decoder } from './decoder.ts';
import type { IgnitionVersion } from './ignitionTypes.ts';
import { checkHash, checkUrl, readAbsolutePath, readGroups, readLocalFile, readMode, readOwner, readUnits, readUsers, rejectUnsupported, type ReadOptions } from './readShared.ts';
import { emptySourceConfig, type SourceConfig, type SourceResource } from './sourceModel.ts';
import type { YNode } from './yamlTree.ts';

/** Keys that live one level down, for the lost-indentation hint. */
const sectionChildren = { storage: ['files', 'directories', 'links', 'filesystems', 'disks', 'raid'], systemd: ['units'], passwd: ['users', 'groups'], networkd: ['units'] };

export const butaneFlatcarVersions: Record<string, IgnitionVersion> = { '1.0.0': '3.3.0', '1.1.0': '3.4.0' };

function readResource(d: Decoder, node: YNode, opts: ReadOptions & { v11: boolean }): SourceResource | undefined {
  const m = d.map(node, ['source', 'inline', 'local', 'compression', 'http_headers', 'verification']);
  if (!m) return undefined;
  const source = d.str(m.get('source'));
  const inline = d.text(m.get('inline'));
  const local = d.str(m.get('local'));
  if ([source, inline, local].filter(Boolean).length > 1) d.error(node.loc, 'source, inline and local are mutually exclusive');
  if (source) checkUrl(d, source, opts.schemes);
  let resolvedInline = inline;
  if (local) {
    const text = readLocalFile(d, local, opts.filesDir);
    if (text !== undefined) resolvedInline = { value: text, loc: local.loc, firstLine: 1, exactLines: false };
  }
  const compression = d.str(m.get('compression'));
  if (compression && compression.value !== 'gzip') d.error(compression.loc, `compression '${compression.value}' is not supported (gzip or none)`);
  const headers = d.list(m.get('http_headers')).flatMap((h) => {
    const hm = d.map(h, ['name', 'value']);
    const name = hm && d.required(d.str(hm.get('name')), h, 'name');
    return name ? [{ name: name.value, value: d.str(hm!.get('value'))?.value }] : [];
  });
  let hash;
  const verification = m.get('verification');
  if (verification) {
    const vm = d.map(verification, ['hash']);
    hash = vm && d.str(vm.get('hash'));
    if (hash) checkHash(d, hash);
  }
  if (hash && !source) d.error(hash.loc, 'verification only applies to a source URL');
  return { loc: node.loc, source, inline: resolvedInline, local, compression, hash, httpHeaders: headers.length ? headers : undefined };
}

export function readButane(root: YNode, file: string, options: Omit<ReadOptions, 'schemes'>): { config: SourceConfig; ignitionVersion: IgnitionVersion; decoder: Decoder } {
  const d = new Decoder();
  const top = d.map(root, ['variant', 'version', 'ignition', 'storage', 'systemd', 'passwd', 'kernel_arguments', 'boot_device'], sectionChildren) ?? new Map();
  const variant = d.str(top.get('variant'));
  const version = d.str(top.get('version'));
  if (variant && variant.value !== 'flatcar') d.error(variant.loc, `variant '${variant.value}' is not supported here (use 'flatcar')`);
  let ignitionVersion: IgnitionVersion = '3.3.0';
  if (!version) d.error(root.loc, "missing required key 'version'");
  else if (!butaneFlatcarVersions[version.value]) d.error(version.loc, `flatcar version '${version.value}' is not supported (use ${Object.keys(butaneFlatcarVersions).join(' or ')})`);
  else ignitionVersion = butaneFlatcarVersions[version.value]!;
  const v11 = version?.value === '1.1.0';
  const opts = { ...options, v11, schemes: v11 ? ['http', 'https', 'tftp', 's3', 'arn', 'gs', 'data'] : ['http', 'https', 'tftp', 's3', 'gs', 'data'] };
  const config = emptySourceConfig(file, 'butane', `flatcar ${version?.value ?? '?'}`);
  rejectUnsupported(d, top, ['boot_device'], 'Butane (fcos only)');

  const ign = top.get('ignition');
  if (ign) {
    const im = d.map(ign, ['config', 'timeouts', 'security', 'proxy']) ?? new Map();
    rejectUnsupported(d, im, ['security', 'proxy'], 'Butane');
    const cfg = im.get('config');
    if (cfg) {
      const cm = d.map(cfg, ['merge', 'replace']) ?? new Map();
      config.merge = d.list(cm.get('merge')).flatMap((r) => readResource(d, r, opts) ?? []);
      const replace = cm.get('replace');
      if (replace && replace.kind !== 'null') config.replace = readResource(d, replace, opts);
    }
    const t = im.get('timeouts');
    if (t) {
      const tm = d.map(t, ['http_response_headers', 'http_total']) ?? new Map();
      config.timeouts = { httpResponseHeaders: d.int(tm.get('http_response_headers'))?.value, httpTotal: d.int(tm.get('http_total'))?.value };
    }
  }

  const storage = top.get('storage');
  if (storage) {
    const sm = d.map(storage, ['files', 'directories', 'links', 'disks', 'raid', 'filesystems', 'luks', 'trees']) ?? new Map();
    rejectUnsupported(d, sm, ['disks', 'raid', 'filesystems', 'luks', 'trees'], 'Butane');
    for (const item of d.list(sm.get('files'))) {
      const m = d.map(item, ['path', 'overwrite', 'contents', 'append', 'mode', 'user', 'group']);
      if (!m) continue;
      const path = readAbsolutePath(d, m.get('path'), item);
      const contentsNode = m.get('contents');
      const contents = contentsNode && contentsNode.kind !== 'null' ? readResource(d, contentsNode, opts) : undefined;
      const append = d.list(m.get('append')).flatMap((r) => readResource(d, r, opts) ?? []);
      const mode = readMode(d, m.get('mode'), false);
      if (path) config.files.push({ loc: item.loc, path, overwrite: d.bool(m.get('overwrite'))?.value, mode, contents, append, user: readOwner(d, m.get('user')), group: readOwner(d, m.get('group')) });
    }
    for (const item of d.list(sm.get('directories'))) {
      const m = d.map(item, ['path', 'overwrite', 'mode', 'user', 'group']);
      if (!m) continue;
      const path = readAbsolutePath(d, m.get('path'), item);
      const mode = readMode(d, m.get('mode'), true);
      if (path) config.directories.push({ loc: item.loc, path, overwrite: d.bool(m.get('overwrite'))?.value, mode, user: readOwner(d, m.get('user')), group: readOwner(d, m.get('group')) });
    }
    for (const item of d.list(sm.get('links'))) {
      const m = d.map(item, ['path', 'overwrite', 'target', 'hard', 'user', 'group']);
      if (!m) continue;
      const path = readAbsolutePath(d, m.get('path'), item);
      const target = d.required(d.str(m.get('target')), item, 'target');
      if (path && target) config.links.push({ loc: item.loc, path, target, hard: d.bool(m.get('hard'))?.value, overwrite: d.bool(m.get('overwrite'))?.value, user: readOwner(d, m.get('user')), group: readOwner(d, m.get('group')) });
    }
  }

  const systemd = top.get('systemd');
  if (systemd) {
    const sm = d.map(systemd, ['units']) ?? new Map();
    config.units = readUnits(d, sm.get('units'), { extra: v11 ? ['contents_local'] : [], dropinExtra: v11 ? ['contents_local'] : [] }, options.filesDir);
  }

  const passwd = top.get('passwd');
  if (passwd) {
    const pm = d.map(passwd, ['users', 'groups']) ?? new Map();
    config.users = readUsers(d, pm.get('users'), v11 ? ['ssh_authorized_keys_local'] : [], options.filesDir);
    config.groups = readGroups(d, pm.get('groups'), []);
  }

  const kargs = top.get('kernel_arguments');
  if (kargs) {
    const km = d.map(kargs, ['should_exist', 'should_not_exist']) ?? new Map();
    config.kernelArguments = { shouldExist: d.strings(km.get('should_exist')).map((s) => s.value), shouldNotExist: d.strings(km.get('should_not_exist')).map((s) => s.value) };
  }
  return { config, ignitionVersion, decoder: d };
}
