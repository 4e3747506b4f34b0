/**
 * What Butane and CLC configs say, in one shape, with every value's source location. The emitter
 * turns it into Ignition JSON; lint rules read it (they need lines, which JSON no longer has).
 */
import type { Location } from './diagnostics.ts';
import type { Located } from './decoder.ts';

export type Dialect = 'butane' | 'clc';

/** A text block (unit contents, inline file) and where its first line is in the source. */
export interface SourceText extends Located<string> {
  firstLine: number;
  /** True for `|` blocks, whose lines map 1:1 to source lines; otherwise lines are approximate. */
  exactLines: boolean;
}

export interface SourceResource {
  loc: Location;
  source?: Located<string>;
  inline?: SourceText;
  local?: Located<string>;
  compression?: Located<string>;
  /** `sha512-<hex>` / `sha256-<hex>`, as Ignition 3 writes it. */
  hash?: Located<string>;
  httpHeaders?: { name: string; value?: string }[];
}

export interface SourceOwner {
  id?: number;
  name?: string;
}

export interface SourceMode extends Located<number> {
  raw: string;
}

export interface SourceFile {
  loc: Location;
  path: Located<string>;
  overwrite?: boolean;
  mode?: SourceMode;
  contents?: SourceResource;
  append: SourceResource[];
  user?: SourceOwner;
  group?: SourceOwner;
}

export interface SourceDirectory {
  loc: Location;
  path: Located<string>;
  overwrite?: boolean;
  mode?: SourceMode;
  user?: SourceOwner;
  group?: SourceOwner;
}

export interface SourceLink {
  loc: Location;
  path: Located<string>;
  target: Located<string>;
  hard?: boolean;
  overwrite?: boolean;
  user?: SourceOwner;
  group?: SourceOwner;
}

export interface SourceDropin {
  loc: Location;
  name: Located<string>;
  contents?: SourceText;
}

export interface SourceUnit {
  loc: Location;
  name: Located<string>;
  enabled?: boolean;
  mask?: boolean;
  contents?: SourceText;
  dropins: SourceDropin[];
}

export interface SourceUser {
  loc: Location;
  name: Located<string>;
  passwordHash?: string;
  sshAuthorizedKeys: string[];
  uid?: number;
  gecos?: string;
  homeDir?: string;
  noCreateHome?: boolean;
  primaryGroup?: string;
  groups: string[];
  noUserGroup?: boolean;
  noLogInit?: boolean;
  shell?: string;
  system?: boolean;
}

export interface SourceGroup {
  loc: Location;
  name: Located<string>;
  gid?: number;
  passwordHash?: string;
  system?: boolean;
}

export interface SourceConfig {
  file: string;
  dialect: Dialect;
  /** `flatcar 1.0.0` etc. for Butane; `ct` for CLC. */
  specVersion: string;
  merge: SourceResource[];
  replace?: SourceResource;
  timeouts?: { httpResponseHeaders?: number; httpTotal?: number };
  files: SourceFile[];
  directories: SourceDirectory[];
  links: SourceLink[];
  units: SourceUnit[];
  users: SourceUser[];
  groups: SourceGroup[];
  kernelArguments?: { shouldExist: string[]; shouldNotExist: string[] };
}

export function emptySourceConfig(file: string, dialect: Dialect, specVersion: string): SourceConfig {
  return { file, dialect, specVersion, merge: [], files: [], directories: [], links: [], units: [], users: [], groups: [] };
}
