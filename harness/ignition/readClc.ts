/**
 * Container Linux Config (what `ct` reads: no variant/version, `filesystem: root`, `contents.remote.url`,
 * hashes as {function, sum}) into the source model. ct emitted Ignition 2.x; the lab emits 3.3.0, which
 * is what Flatcar's own 2.x → 3.x translation produces at boot, with 2.x's defaults made explicit.
 */
import { Decoder, type Located } from './decoder.ts';
import { checkHash, checkUrl, readAbsolutePath, readGroups, readLocalFile, readMode, readOwner, readUnits, readUsers, rejectUnsupported, type ReadOptions } from './readShared.ts';
import { emptySourceConfig, type SourceConfig, type SourceResource } from './sourceModel.ts';
import type { YNode } from './yamlTree.ts';

/** Keys that live one level down, for the lost-indentation hint. */
const sectionChildren = { storage: ['files', 'directories', 'links', 'filesystems', 'disks', 'raid'], systemd: ['units'], passwd: ['users', 'groups'], networkd: ['units'] };

const schemes = ['http', 'https', 'tftp', 's3', 'data'];

function readHash(d: Decoder, node: YNode | undefined): Located<string> | undefined {
  if (!node) return undefined;
  const vm = d.map(node, ['hash']);
  const hashNode = vm?.get('hash');
  if (!hashNode) return undefined;
  const hm = d.map(hashNode, ['function', 'sum']);
  if (!hm) return undefined;
  const fn = d.required(d.str(hm.get('function')), hashNode, 'function');
  const sum = d.required(d.str(hm.get('sum')), hashNode, 'sum');
  if (!fn || !sum) return undefined;
  const hash = { value: `${fn.value}-${sum.value}`, loc: sum.loc };
  checkHash(d, hash);
  return hash;
}

function readContents(d: Decoder, node: YNode, filesDir: string | undefined): SourceResource | undefined {
  const m = d.map(node, ['inline', 'remote', 'local']);
  if (!m) return undefined;
  const inline = d.text(m.get('inline'));
  const local = d.str(m.get('local'));
  const remoteNode = m.get('remote');
  if ([inline, local, remoteNode && remoteNode.kind !== 'null'].filter(Boolean).length > 1) d.error(node.loc, 'inline, local and remote are mutually exclusive');
  const resource: SourceResource = { loc: node.loc, inline };
  if (local) {
    const text = readLocalFile(d, local, filesDir);
    if (text !== undefined) resource.inline = { value: text, loc: local.loc, firstLine: 1, exactLines: false };
    resource.local = local;
  }
  if (remoteNode && remoteNode.kind !== 'null') {
    const rm = d.map(remoteNode, ['url', 'compression', 'verification']);
    if (rm) {
      resource.source = d.required(d.str(rm.get('url')), remoteNode, 'url');
      if (resource.source) checkUrl(d, resource.source, schemes);
      resource.compression = d.str(rm.get('compression'));
      if (resource.compression && resource.compression.value !== 'gzip') d.error(resource.compression.loc, `compression '${resource.compression.value}' is not supported (gzip or none)`);
      resource.hash = readHash(d, rm.get('verification'));
    }
  }
  return resource;
}

/** `filesystem:` must name the root filesystem: Ignition 3 writes files only there. */
function checkFilesystem(d: Decoder, m: Map<string, YNode>, item: YNode): void {
  const fs = d.required(d.str(m.get('filesystem')), item, 'filesystem');
  if (fs && fs.value !== 'root') d.error(fs.loc, `filesystem '${fs.value}' is not supported: only 'root' translates to Ignition 3`);
}

export function readClc(root: YNode, file: string, options: Omit<ReadOptions, 'schemes'>): { config: SourceConfig; decoder: Decoder } {
  const d = new Decoder();
  const top = d.map(root, ['ignition', 'storage', 'systemd', 'networkd', 'passwd', 'etcd', 'flannel', 'docker', 'update', 'locksmith'], sectionChildren) ?? new Map();
  rejectUnsupported(d, top, ['etcd', 'flannel', 'docker', 'update', 'locksmith'], 'CLC');
  const config = emptySourceConfig(file, 'clc', 'ct');

  const ign = top.get('ignition');
  if (ign) {
    const im = d.map(ign, ['config', 'timeouts']) ?? new Map();
    const cfg = im.get('config');
    if (cfg) {
      const cm = d.map(cfg, ['append', 'replace']) ?? new Map();
      const readRef = (r: YNode): SourceResource | undefined => {
        const rm = d.map(r, ['source', 'verification']);
        if (!rm) return undefined;
        const source = d.required(d.str(rm.get('source')), r, 'source');
        if (source) checkUrl(d, source, schemes);
        return { loc: r.loc, source, hash: readHash(d, rm.get('verification')) };
      };
      config.merge = d.list(cm.get('append')).flatMap((r) => readRef(r) ?? []);
      const replace = cm.get('replace');
      if (replace && replace.kind !== 'null') config.replace = readRef(replace);
    }
    const t = im.get('timeouts');
    if (t) {
      const tm = d.map(t, ['httpResponseHeaders', 'httpTotal']) ?? new Map();
      config.timeouts = { httpResponseHeaders: d.int(tm.get('httpResponseHeaders'))?.value, httpTotal: d.int(tm.get('httpTotal'))?.value };
    }
  }

  const storage = top.get('storage');
  if (storage) {
    const sm = d.map(storage, ['disks', 'raid', 'filesystems', 'files', 'directories', 'links']) ?? new Map();
    rejectUnsupported(d, sm, ['disks', 'raid', 'filesystems'], 'CLC');
    for (const item of d.list(sm.get('files'))) {
      const m = d.map(item, ['filesystem', 'path', 'contents', 'mode', 'user', 'group', 'overwrite', 'append']);
      if (!m) continue;
      checkFilesystem(d, m, item);
      rejectUnsupported(d, m, ['append'], 'CLC');
      const path = readAbsolutePath(d, m.get('path'), item);
      const contentsNode = m.get('contents');
      const contents = contentsNode && contentsNode.kind !== 'null' ? readContents(d, contentsNode, options.filesDir) : undefined;
      const mode = readMode(d, m.get('mode'), false);
      // Ignition 2.x replaced existing files by default; 3.x refuses unless told, so say it.
      const overwrite = d.bool(m.get('overwrite'))?.value ?? true;
      if (path) config.files.push({ loc: item.loc, path, overwrite, mode, contents, append: [], user: readOwner(d, m.get('user')), group: readOwner(d, m.get('group')) });
    }
    for (const item of d.list(sm.get('directories'))) {
      const m = d.map(item, ['filesystem', 'path', 'mode', 'user', 'group', 'overwrite']);
      if (!m) continue;
      checkFilesystem(d, m, item);
      const path = readAbsolutePath(d, m.get('path'), item);
      const mode = readMode(d, m.get('mode'), true);
      if (path) config.directories.push({ loc: item.loc, path, overwrite: d.bool(m.get('overwrite'))?.value, mode, user: readOwner(d, m.get('user')), group: readOwner(d, m.get('group')) });
    }
    for (const item of d.list(sm.get('links'))) {
      const m = d.map(item, ['filesystem', 'path', 'target', 'hard', 'user', 'group', 'overwrite']);
      if (!m) continue;
      checkFilesystem(d, m, item);
      const path = readAbsolutePath(d, m.get('path'), item);
      const target = d.required(d.str(m.get('target')), item, 'target');
      if (path && target) config.links.push({ loc: item.loc, path, target, hard: d.bool(m.get('hard'))?.value, overwrite: d.bool(m.get('overwrite'))?.value, user: readOwner(d, m.get('user')), group: readOwner(d, m.get('group')) });
    }
  }

  const systemd = top.get('systemd');
  if (systemd) {
    const sm = d.map(systemd, ['units']) ?? new Map();
    config.units = readUnits(d, sm.get('units'), { extra: ['enable'], dropinExtra: [] }, options.filesDir);
  }

  // Ignition 3 has no networkd section: its 2.x → 3.x translation writes these as files.
  const networkd = top.get('networkd');
  if (networkd) {
    const nm = d.map(networkd, ['units']) ?? new Map();
    for (const item of d.list(nm.get('units'))) {
      const m = d.map(item, ['name', 'contents']);
      if (!m) continue;
      const name = d.required(d.str(m.get('name')), item, 'name');
      const contents = d.text(m.get('contents'));
      if (name) config.files.push({ loc: item.loc, path: { value: `/etc/systemd/network/${name.value}`, loc: name.loc }, overwrite: true, mode: { value: 0o644, loc: item.loc, raw: '0644' }, contents: contents && { loc: item.loc, inline: contents }, append: [] });
    }
  }

  const passwd = top.get('passwd');
  if (passwd) {
    const pm = d.map(passwd, ['users', 'groups']) ?? new Map();
    config.users = readUsers(d, pm.get('users'), ['create'], options.filesDir);
    config.groups = readGroups(d, pm.get('groups'), []);
  }
  return { config, decoder: d };
}
