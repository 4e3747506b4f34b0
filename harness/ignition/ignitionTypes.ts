/** The Ignition 3.x JSON shapes this harness writes (specs 3.3.0 and 3.4.0; the fields these bootstraps use). */
export type IgnitionVersion = '3.3.0' | '3.4.0';

export interface IgnResource {
  source?: string;
  compression?: string;
  httpHeaders?: { name: string; value?: string }[];
  verification?: { hash?: string };
}

export interface IgnNodeUser {
  id?: number;
  name?: string;
}

export interface IgnFile {
  path: string;
  overwrite?: boolean;
  contents?: IgnResource;
  append?: IgnResource[];
  mode?: number;
  user?: IgnNodeUser;
  group?: IgnNodeUser;
}

export interface IgnDirectory {
  path: string;
  overwrite?: boolean;
  mode?: number;
  user?: IgnNodeUser;
  group?: IgnNodeUser;
}

export interface IgnLink {
  path: string;
  overwrite?: boolean;
  target: string;
  hard?: boolean;
  user?: IgnNodeUser;
  group?: IgnNodeUser;
}

export interface IgnDropin {
  name: string;
  contents?: string;
}

export interface IgnUnit {
  name: string;
  enabled?: boolean;
  mask?: boolean;
  contents?: string;
  dropins?: IgnDropin[];
}

export interface IgnUser {
  name: string;
  passwordHash?: string;
  sshAuthorizedKeys?: string[];
  uid?: number;
  gecos?: string;
  homeDir?: string;
  noCreateHome?: boolean;
  primaryGroup?: string;
  groups?: string[];
  noUserGroup?: boolean;
  noLogInit?: boolean;
  shell?: string;
  system?: boolean;
}

export interface IgnGroup {
  name: string;
  gid?: number;
  passwordHash?: string;
  system?: boolean;
}

export interface IgnitionConfig {
  ignition: {
    version: IgnitionVersion;
    config?: { merge?: IgnResource[]; replace?: IgnResource };
    timeouts?: { httpResponseHeaders?: number; httpTotal?: number };
  };
  storage?: { files?: IgnFile[]; directories?: IgnDirectory[]; links?: IgnLink[] };
  systemd?: { units?: IgnUnit[] };
  passwd?: { users?: IgnUser[]; groups?: IgnGroup[] };
  kernelArguments?: { shouldExist?: string[]; shouldNotExist?: string[] };
}
