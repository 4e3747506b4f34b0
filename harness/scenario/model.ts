/**
 * A scenario as data: the lab's topology, the cluster's secrets and which user templates each node
 * boots with. Scenario files (scenarios/<name>.ts) export one default object; validateScenario checks
 * what TypeScript cannot (unique names/MACs/IPs, addresses inside the lab subnet, templates exist)
 * and names the scenario file and line. Later issues add fields (steps, assertions, sources) here.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { oneLine, UsageError } from '../errors.ts';
import { projectRoot } from '../paths.ts';
import { defaultNetwork, type NetworkSpec, type NodeRole, type NodeSpec, type Topology } from './topology.ts';
import type { Expectation } from './verdict.ts';
import { assertions } from './assertions/index.ts';

const assertionNames = assertions.map((a) => a.name);

export type Stage = 'pxe' | 'boot';
export const stages: readonly Stage[] = ['pxe', 'boot'];

/** Project-relative paths of the user's templates for each stage. */
export type StageTemplates = Record<Stage, string>;

export interface ScenarioNode extends NodeSpec {
  /** Per-node templates, for configs kept one file per node (as the seed does); default: the scenario's. */
  templates?: Partial<StageTemplates>;
}

export interface Scenario {
  name: string;
  description: string;
  network: NetworkSpec;
  nodes: ScenarioNode[];
  /** The cluster's shared join secret, passed to templates as `k3s_token`. Redacted in reports. */
  cluster: { token: string };
  templates: StageTemplates;
  /** Extra template variables, the same for every node. */
  variables?: Record<string, string>;
  /** What the scenario is expected to show; `fail` scenarios (reproducers) name the reasons the run must show. */
  expect?: Expectation;
  /**
   * The install.sh the nodes run, as `--install-sh` takes it (`fixture`, `fixture:pr13712`, a path,
   * a URL or a k3s ref); the command line's `--install-sh` wins.
   */
  installSh?: string;
}

/** LAB_SCENARIOS_DIR lets tests (and users with private scenarios) point elsewhere. */
export const scenariosDir = process.env.LAB_SCENARIOS_DIR ? resolve(process.env.LAB_SCENARIOS_DIR) : join(projectRoot, 'scenarios');

export function topologyOf(s: Scenario): Topology {
  return { network: s.network, nodes: s.nodes.map(({ name, mac, ip, role }) => ({ name, mac, ip, role })) };
}

export function nodeTemplates(s: Scenario, node: ScenarioNode): StageTemplates {
  return { pxe: node.templates?.pxe ?? s.templates.pxe, boot: node.templates?.boot ?? s.templates.boot };
}

/** The first init node, else the first server: where joining nodes point `--server`. */
export function firstServer(s: Pick<Scenario, 'nodes'>): NodeSpec | undefined {
  return s.nodes.find((n) => n.role === 'init') ?? s.nodes.find((n) => n.role === 'server');
}

export function listScenarios(dir = scenariosDir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

export async function loadScenario(name: string, dir = scenariosDir): Promise<Scenario> {
  const known = listScenarios(dir);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || !known.includes(name)) {
    throw new UsageError(`unknown scenario '${name}' (known: ${known.join(', ') || 'none'})`);
  }
  const file = join(dir, `${name}.ts`);
  const mod = (await importScenarioFile(file)) as { default?: unknown };
  return validateScenario(mod.default, file, name);
}

/** Imports a scenario file; a syntax error names file:line:column, any other failure the file. */
export async function importScenarioFile(file: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    // tsx reports esbuild's transform error as text: "Transform failed with 1 error:\n<file>:4:0: ERROR: Unexpected "}"".
    const place = /:(\d+):(\d+): ERROR: (.+)/.exec(err instanceof Error ? err.message : '');
    if (place) throw new UsageError(`${file}:${place[1]}:${place[2]}: ${place[3]}`);
    throw new UsageError(`${file}: could not load the scenario: ${oneLine(err)}`);
  }
}

const roles: readonly NodeRole[] = ['init', 'server', 'agent'];
const knownKeys = ['name', 'description', 'network', 'nodes', 'cluster', 'templates', 'variables', 'expect', 'installSh'];
const knownNodeKeys = ['name', 'mac', 'ip', 'role', 'templates'];

function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

/** Checks a scenario object; throws one UsageError naming the file, the line of the bad value and the fix. */
export function validateScenario(value: unknown, file: string, expectedName?: string): Scenario {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const fail = (path: string, message: string, needle?: string): never => {
    const idx = needle !== undefined ? text.indexOf(needle) : -1;
    const line = idx >= 0 ? text.slice(0, idx).split('\n').length : undefined;
    throw new UsageError(`${file}${line ? `:${line}` : ''}: ${path}: ${message}`);
  };
  if (typeof value !== 'object' || value === null) fail('default export', 'must be a scenario object');
  const s = value as Record<string, unknown>;
  for (const key of Object.keys(s)) if (!knownKeys.includes(key)) fail(key, `unknown key (known: ${knownKeys.join(', ')})`, key);
  if (typeof s.name !== 'string' || !s.name) fail('name', 'must be a non-empty string');
  if (expectedName && s.name !== expectedName) fail('name', `is '${String(s.name)}' but the file is ${expectedName}.ts`, String(s.name));
  if (typeof s.description !== 'string') fail('description', 'must be a string');
  const network = (s.network ?? defaultNetwork) as NetworkSpec;
  const serverIp = ipToInt(network.serverIp);
  if (serverIp === undefined) fail('network.serverIp', `'${network.serverIp}' is not an IPv4 address`, network.serverIp);
  if (!Number.isInteger(network.prefix) || network.prefix < 8 || network.prefix > 30) fail('network.prefix', 'must be an integer from 8 to 30');
  if (!Number.isInteger(network.mirrorPort) || network.mirrorPort < 1 || network.mirrorPort > 65535) fail('network.mirrorPort', 'must be a TCP port');
  if (network.defaultRoute !== undefined && typeof network.defaultRoute !== 'boolean') fail('network.defaultRoute', 'must be true (the lab server routes, the default) or false (an air-gapped segment)', 'defaultRoute');
  const mask = network.prefix === 0 ? 0 : (~0 << (32 - network.prefix)) >>> 0;

  if (!Array.isArray(s.nodes) || s.nodes.length === 0) fail('nodes', 'must list at least one node');
  const nodes = s.nodes as ScenarioNode[];
  const seen = { name: new Set<string>(), mac: new Set<string>(), ip: new Set<string>() };
  nodes.forEach((n, i) => {
    const at = `nodes[${i}]`;
    for (const key of Object.keys(n)) if (!knownNodeKeys.includes(key)) fail(`${at}.${key}`, `unknown key (known: ${knownNodeKeys.join(', ')})`, key);
    if (typeof n.name !== 'string' || !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(n.name)) fail(`${at}.name`, `'${String(n.name)}' is not a valid hostname (lower-case letters, digits, -)`, String(n.name));
    if (typeof n.mac !== 'string' || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(n.mac)) fail(`${at}.mac`, `'${String(n.mac)}' is not a lower-case MAC address like 52:54:00:00:00:46`, String(n.mac));
    const firstOctet = parseInt(n.mac.slice(0, 2), 16);
    if ((firstOctet & 1) !== 0) fail(`${at}.mac`, `'${n.mac}' is a multicast address; use a unicast one (52:54:00:…)`, n.mac);
    const ip = ipToInt(n.ip);
    if (ip === undefined) fail(`${at}.ip`, `'${String(n.ip)}' is not an IPv4 address`, String(n.ip));
    if (((ip! & mask) >>> 0) !== ((serverIp! & mask) >>> 0)) fail(`${at}.ip`, `${n.ip} is outside the lab subnet ${network.serverIp}/${network.prefix}`, n.ip);
    if (ip === serverIp) fail(`${at}.ip`, `${n.ip} is the PXE/HTTP server's own address`, n.ip);
    if (!roles.includes(n.role)) fail(`${at}.role`, `'${String(n.role)}' is not one of ${roles.join(', ')}`, String(n.role));
    for (const key of ['name', 'mac', 'ip'] as const) {
      if (seen[key].has(n[key])) fail(`${at}.${key}`, `'${n[key]}' is used by two nodes`, n[key]);
      seen[key].add(n[key]);
    }
    for (const [stage, path] of Object.entries(n.templates ?? {})) {
      if (!existsSync(resolve(projectRoot, path))) fail(`${at}.templates.${stage}`, `template '${path}' does not exist`, path);
    }
  });
  const inits = nodes.filter((n) => n.role === 'init');
  if (inits.length > 1) fail('nodes', `${inits.length} nodes have role 'init' (${inits.map((n) => n.name).join(', ')}); exactly one node starts the cluster`, `'init'`);
  if (inits.length === 0) fail('nodes', "no node has role 'init'; one node must start the cluster (--cluster-init)");

  const cluster = s.cluster as { token?: unknown } | undefined;
  if (!cluster || typeof cluster.token !== 'string' || !cluster.token) fail('cluster.token', 'must be a non-empty string');
  if (/[\s"'\\%]/.test((cluster as { token: string }).token)) fail('cluster.token', 'must not contain spaces, quotes, backslashes or % (it goes into a systemd Environment= line, where % starts a specifier)');
  const templates = s.templates as Partial<StageTemplates> | undefined;
  for (const stage of ['pxe', 'boot'] as const) {
    const path = templates?.[stage];
    if (typeof path !== 'string') fail(`templates.${stage}`, 'must be a project-relative path');
    if (!existsSync(resolve(projectRoot, path!))) fail(`templates.${stage}`, `template '${path}' does not exist`, path);
  }
  for (const [k, v] of Object.entries((s.variables ?? {}) as Record<string, unknown>)) {
    if (typeof v !== 'string' || /[\r\n]/.test(v)) fail(`variables.${k}`, 'must be a single-line string', k);
  }
  validateExpect(s.expect, fail);
  if (s.installSh !== undefined && (typeof s.installSh !== 'string' || !s.installSh)) fail('installSh', 'must be an --install-sh value (fixture, fixture:pr13712, a path, a URL or a k3s ref)', 'installSh');
  return { ...(s as unknown as Scenario), network };
}

const reasonKinds = ['cause', 'assertion', 'lint', 'line'];

function validateExpect(value: unknown, fail: (path: string, message: string, needle?: string) => never): void {
  if (value === undefined) return;
  const e = value as Partial<Expectation>;
  if (typeof e !== 'object' || e === null || (e.outcome !== 'pass' && e.outcome !== 'fail')) fail('expect.outcome', "must be 'pass' or 'fail'", 'expect');
  if (e.outcome === 'fail' && (!Array.isArray(e.reasons) || e.reasons.length === 0)) fail('expect.reasons', 'a scenario that expects to fail must name its reasons (a reproducer is green only when it fails for them)', 'expect');
  (e.reasons ?? []).forEach((r: unknown, i) => {
    const at = `expect.reasons[${i}]`;
    const reason = r as Record<string, unknown>;
    if (typeof reason !== 'object' || reason === null || typeof reason.text !== 'string') fail(at, "must be { text, cause: { line } } | { text, assertion } | { text, lint } | { text, line: { text } }", 'reasons');
    const kinds = reasonKinds.filter((k) => k in reason);
    if (kinds.length !== 1) fail(at, `give exactly one of ${reasonKinds.join(', ')} (what the run must show)`, String(reason.text));
    if (kinds[0] === 'cause') {
      const c = reason.cause as Record<string, unknown> | undefined;
      if (!c || typeof c.line !== 'string' || !c.line) fail(`${at}.cause.line`, 'must be the text a line of the cause contains', String(reason.text));
    }
    if (kinds[0] === 'assertion' && !assertionNames.includes(reason.assertion as string)) fail(`${at}.assertion`, `unknown assertion '${String(reason.assertion)}' (known: ${assertionNames.join(', ')})`, String(reason.assertion));
    if (kinds[0] === 'lint' && typeof reason.lint !== 'string') fail(`${at}.lint`, 'must be a lint rule name', String(reason.text));
    if (kinds[0] === 'line' && typeof (reason.line as { text?: unknown } | undefined)?.text !== 'string') fail(`${at}.line.text`, 'must be the text a journal or console line contains', String(reason.text));
  });
}
