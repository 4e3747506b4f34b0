/** The source model as Ignition 3.x JSON. Key order follows the spec documents so output diffs read well. */
import { dataUrl } from './dataUrl.ts';
import type { Decoder, Located } from './decoder.ts';
import type { IgnFile, IgnitionConfig, IgnitionVersion, IgnNodeUser, IgnResource, IgnUnit, IgnUser } from './ignitionTypes.ts';
import type { SourceConfig, SourceOwner, SourceResource } from './sourceModel.ts';

function compact<T extends object>(obj: T): T {
  for (const key of Object.keys(obj) as (keyof T)[]) {
    const v = obj[key];
    if (v === undefined || (Array.isArray(v) && v.length === 0)) delete obj[key];
  }
  return obj;
}

function resource(r: SourceResource): IgnResource {
  const source = r.source?.value ?? (r.inline ? dataUrl(r.inline.value) : undefined);
  return compact({
    compression: r.compression?.value,
    httpHeaders: r.httpHeaders,
    source,
    verification: r.hash ? { hash: r.hash.value } : undefined,
  });
}

function owner(o: SourceOwner | undefined): IgnNodeUser | undefined {
  return o && (o.id !== undefined || o.name !== undefined) ? compact({ id: o.id, name: o.name }) : undefined;
}

export function emitIgnition(config: SourceConfig, version: IgnitionVersion, d: Decoder): IgnitionConfig {
  const seenPaths = new Map<string, string>();
  const claim = (path: Located<string>, what: string): void => {
    const prior = seenPaths.get(path.value);
    if (prior) d.error(path.loc, `${what} '${path.value}' is already defined as a ${prior}`);
    seenPaths.set(path.value, what);
  };
  const files: IgnFile[] = config.files.map((f) => {
    claim(f.path, 'file');
    return compact({
      group: owner(f.group),
      overwrite: f.overwrite,
      path: f.path.value,
      user: owner(f.user),
      append: f.append.map(resource),
      contents: f.contents ? resource(f.contents) : undefined,
      mode: f.mode?.value,
    });
  });
  const directories = config.directories.map((dir) => {
    claim(dir.path, 'directory');
    return compact({ group: owner(dir.group), overwrite: dir.overwrite, path: dir.path.value, user: owner(dir.user), mode: dir.mode?.value });
  });
  const links = config.links.map((l) => {
    claim(l.path, 'link');
    return compact({ group: owner(l.group), overwrite: l.overwrite, path: l.path.value, user: owner(l.user), hard: l.hard, target: l.target.value });
  });
  const units: IgnUnit[] = config.units.map((u) =>
    compact({
      contents: u.contents?.value,
      dropins: u.dropins.map((di) => compact({ contents: di.contents?.value, name: di.name.value })),
      enabled: u.enabled,
      mask: u.mask,
      name: u.name.value,
    }),
  );
  const users: IgnUser[] = config.users.map((u) =>
    compact({
      gecos: u.gecos,
      groups: u.groups,
      homeDir: u.homeDir,
      name: u.name.value,
      noCreateHome: u.noCreateHome,
      noLogInit: u.noLogInit,
      noUserGroup: u.noUserGroup,
      passwordHash: u.passwordHash,
      primaryGroup: u.primaryGroup,
      shell: u.shell,
      sshAuthorizedKeys: u.sshAuthorizedKeys,
      system: u.system,
      uid: u.uid,
    }),
  );
  const groups = config.groups.map((g) => compact({ gid: g.gid, name: g.name.value, passwordHash: g.passwordHash, system: g.system }));

  const out: IgnitionConfig = { ignition: { version } };
  const merge = config.merge.map(resource);
  if (merge.length || config.replace) out.ignition.config = compact({ merge, replace: config.replace && resource(config.replace) });
  if (config.timeouts && (config.timeouts.httpResponseHeaders !== undefined || config.timeouts.httpTotal !== undefined)) out.ignition.timeouts = compact({ ...config.timeouts });
  if (config.kernelArguments && (config.kernelArguments.shouldExist.length || config.kernelArguments.shouldNotExist.length)) {
    out.kernelArguments = compact({ shouldExist: config.kernelArguments.shouldExist, shouldNotExist: config.kernelArguments.shouldNotExist });
  }
  if (users.length || groups.length) out.passwd = compact({ groups, users });
  if (files.length || directories.length || links.length) out.storage = compact({ directories, files, links });
  if (units.length) out.systemd = { units };
  return out;
}
