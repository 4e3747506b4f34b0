/**
 * k3s's command line (urfave/cli style): `--flag value`, `--flag=value`, short aliases, repeatable
 * slice flags, bool flags, K3S_* environment fallbacks, and /etc/rancher/k3s/config.yaml underneath.
 * Flags the double does not act on are kept, so the node annotation shows what it was given.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { fatal } from './log.ts';

type Kind = 'string' | 'bool' | 'slice';
interface FlagDef {
  kind: Kind;
  aliases?: string[];
  env?: string;
}

const common: Record<string, FlagDef> = {
  token: { kind: 'string', aliases: ['t'], env: 'K3S_TOKEN' },
  'token-file': { kind: 'string', env: 'K3S_TOKEN_FILE' },
  server: { kind: 'string', aliases: ['s'], env: 'K3S_URL' },
  'node-name': { kind: 'string', env: 'K3S_NODE_NAME' },
  'data-dir': { kind: 'string', aliases: ['d'], env: 'K3S_DATA_DIR' },
  'node-ip': { kind: 'string', aliases: ['i'] },
  'node-label': { kind: 'slice' },
  'node-taint': { kind: 'slice' },
  config: { kind: 'string', aliases: ['c'], env: 'K3S_CONFIG_FILE' },
  debug: { kind: 'bool', env: 'K3S_DEBUG' },
  'with-node-id': { kind: 'bool' },
  'selinux': { kind: 'bool', env: 'K3S_SELINUX' },
};

const serverOnly: Record<string, FlagDef> = {
  'cluster-init': { kind: 'bool', env: 'K3S_CLUSTER_INIT' },
  'cluster-reset': { kind: 'bool', env: 'K3S_CLUSTER_RESET' },
  'tls-san': { kind: 'slice' },
  disable: { kind: 'slice' },
  'write-kubeconfig': { kind: 'string', aliases: ['o'], env: 'K3S_KUBECONFIG_OUTPUT' },
  'write-kubeconfig-mode': { kind: 'string', env: 'K3S_KUBECONFIG_MODE' },
  'bind-address': { kind: 'string' },
  'advertise-address': { kind: 'string' },
  'https-listen-port': { kind: 'string' },
  'agent-token': { kind: 'string', env: 'K3S_AGENT_TOKEN' },
};

export const flagSets = { server: { ...common, ...serverOnly }, agent: common } as const;

export interface ParsedFlags {
  values: Record<string, string | boolean | string[]>;
  /** Flags the double accepts but does not act on, in the order given. */
  recorded: string[];
}

function lookup(defs: Record<string, FlagDef>, name: string): [string, FlagDef] | undefined {
  if (defs[name]) return [name, defs[name]!];
  for (const [k, d] of Object.entries(defs)) if (d.aliases?.includes(name)) return [k, d];
  return undefined;
}

function truthy(v: string): boolean {
  return ['1', 'true', 't', 'yes'].includes(v.toLowerCase());
}

function put(values: ParsedFlags['values'], key: string, def: FlagDef, raw: string | boolean): void {
  if (def.kind === 'bool') values[key] = typeof raw === 'boolean' ? raw : truthy(raw);
  else if (def.kind === 'slice') {
    const prev = (values[key] as string[] | undefined) ?? [];
    const items = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter(Boolean) : [];
    values[key] = [...prev, ...items];
  } else values[key] = String(raw);
}

export function parseFlags(
  argv: string[],
  defs: Record<string, FlagDef>,
  env: NodeJS.ProcessEnv = process.env,
): ParsedFlags {
  const cli: ParsedFlags['values'] = {};
  const recorded: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-')) fatal(`unexpected argument "${arg}"`);
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    let value: string | undefined = eq >= 0 ? body.slice(eq + 1) : undefined;
    const known = lookup(defs, name);
    if (!known) {
      // Unknown to the double: keep it (and its value, if one follows) for the record.
      if (value === undefined && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('-')) value = argv[++i];
      recorded.push(value === undefined ? `--${name}` : `--${name}=${value}`);
      continue;
    }
    const [key, def] = known;
    if (def.kind === 'bool') {
      put(cli, key, def, value ?? true);
      continue;
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) fatal(`flag needs an argument: -${name}`);
    }
    put(cli, key, def, value);
  }

  // Precedence as k3s: command line, then environment, then the config file.
  const values: ParsedFlags['values'] = {};
  const configPath = (cli.config as string | undefined) ?? env.K3S_CONFIG_FILE ?? '/etc/rancher/k3s/config.yaml';
  for (const [k, v] of Object.entries(readConfigFile(configPath, cli.config !== undefined))) {
    const known = lookup(defs, k);
    if (!known) {
      recorded.push(`config:${k}`);
      continue;
    }
    for (const item of Array.isArray(v) ? v : [v]) put(values, known[0], known[1], typeof item === 'boolean' ? item : String(item));
  }
  for (const [key, def] of Object.entries(defs)) {
    if (def.env && env[def.env] !== undefined && env[def.env] !== '') {
      if (def.kind === 'slice') delete values[key];
      put(values, key, def, env[def.env]!);
    }
  }
  for (const [k, v] of Object.entries(cli)) values[k] = v;
  return { values, recorded };
}

function readConfigFile(path: string, explicit: boolean): Record<string, unknown> {
  if (!existsSync(path)) {
    if (explicit) fatal(`config file ${path} does not exist`);
    return {};
  }
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (e) {
    fatal(`${path}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc == null) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) fatal(`${path}: must be a mapping of flag names to values`);
  return doc as Record<string, unknown>;
}

export const str = (f: ParsedFlags, k: string): string | undefined => f.values[k] as string | undefined;
export const bool = (f: ParsedFlags, k: string): boolean => f.values[k] === true;
export const list = (f: ParsedFlags, k: string): string[] => (f.values[k] as string[] | undefined) ?? [];
