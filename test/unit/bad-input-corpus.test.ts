// Bad input, the way people give it: malformed scenario files, Butane/CLC, flags and values,
// environment, damaged caches. Each must give one line that names the place and the fix, a
// non-zero exit (2: bad input or environment), and leave nothing half-written: no report
// folder, no new cache entry, no run left.
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { flatcarFiles, labOsDirForRecipe } from '../../harness/artifacts/labOs.ts';
import { projectRoot } from '../../harness/paths.ts';

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const work = mkdtempSync(join(tmpdir(), 'bad-input-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const goodScenario = {
  name: 'NAME',
  description: 'a scenario of the bad-input corpus',
  nodes: [{ name: 'node-1', mac: '52:54:00:00:00:46', ip: '10.0.0.70', role: 'init' }],
  cluster: { token: 'corpus-token' },
  templates: { pxe: 'templates/ignite-pxe.yaml', boot: 'templates/ignite-boot.yaml' },
};
type Obj = Record<string, unknown>;

/** A scenario file as a person writes it: one key per line, so a bad value has a line of its own. */
function scenarioText(name: string, edit: (s: Obj) => Obj = (s) => s): string {
  const s = edit(structuredClone({ ...goodScenario, name }) as Obj);
  return `// a corpus scenario\nconst scenario = ${JSON.stringify(s, null, 2)};\n\nexport default scenario;\n`;
}

interface Case {
  name: string;
  args: string[];
  /** Files to write under the case's own dir ({dir} in args and env is that dir). */
  files?: Record<string, string>;
  env?: Record<string, string>;
  /** The one line on stderr. */
  line: RegExp;
  exitCode?: number;
  /** Prepares the case's dir further (a damaged cache). */
  setup?: (dir: string) => void | Promise<void>;
}

const scen = (file: string, text: string, line: RegExp): Case => ({
  name: `scenario file: ${file}`,
  args: ['scenario', file],
  files: { [`scenarios/${file}.ts`]: text },
  env: { LAB_SCENARIOS_DIR: '{dir}/scenarios' },
  line,
});
const cases: Case[] = [
  // Scenario files (LAB_SCENARIOS_DIR)
  scen('syntax', 'const scenario = {\n  name: "syntax",\n  nodes: [\n};\nexport default scenario;\n', /^lab: \{dir\}\/scenarios\/syntax\.ts:4:\d+: .*(Expected|Unexpected)/),
  scen('throws', 'throw new Error("half-done scenario");\n', /^lab: \{dir\}\/scenarios\/throws\.ts: could not load the scenario: half-done scenario$/),
  scen('no-default', 'export const scenario = {};\n', /^lab: \{dir\}\/scenarios\/no-default\.ts: default export: must be a scenario object$/),
  scen('unknown-key', scenarioText('unknown-key', (s) => ({ ...s, nodez: [] })), /^lab: \{dir\}\/scenarios\/unknown-key\.ts:\d+: nodez: unknown key \(known: .*nodes.*\)$/),
  scen('wrong-name', scenarioText('other-name'), /^lab: \{dir\}\/scenarios\/wrong-name\.ts:3: name: is 'other-name' but the file is wrong-name\.ts$/),
  scen('bad-mac', scenarioText('bad-mac', (s) => ({ ...s, nodes: [{ ...(s.nodes as Obj[])[0], mac: '52:54:00:00:00' }] })), /^lab: \{dir\}\/scenarios\/bad-mac\.ts:\d+: nodes\[0\]\.mac: '52:54:00:00:00' is not a lower-case MAC address like 52:54:00:00:00:46$/),
  scen('multicast-mac', scenarioText('multicast-mac', (s) => ({ ...s, nodes: [{ ...(s.nodes as Obj[])[0], mac: '01:00:5e:00:00:01' }] })), /nodes\[0\]\.mac: '01:00:5e:00:00:01' is a multicast address; use a unicast one/),
  scen('outside-subnet', scenarioText('outside-subnet', (s) => ({ ...s, nodes: [{ ...(s.nodes as Obj[])[0], ip: '192.168.1.10' }] })), /\.ts:\d+: nodes\[0\]\.ip: 192\.168\.1\.10 is outside the lab subnet 10\.0\.0\.5\/24$/),
  scen('server-ip', scenarioText('server-ip', (s) => ({ ...s, nodes: [{ ...(s.nodes as Obj[])[0], ip: '10.0.0.5' }] })), /nodes\[0\]\.ip: 10\.0\.0\.5 is the PXE\/HTTP server's own address$/),
  scen('two-names', scenarioText('two-names', (s) => ({ ...s, nodes: [(s.nodes as Obj[])[0], { name: 'node-1', mac: '52:54:00:00:00:47', ip: '10.0.0.71', role: 'server' }] })), /nodes\[1\]\.name: 'node-1' is used by two nodes$/),
  scen('no-init', scenarioText('no-init', (s) => ({ ...s, nodes: [{ ...(s.nodes as Obj[])[0], role: 'server' }] })), /nodes: no node has role 'init'; one node must start the cluster/),
  scen('bad-role', scenarioText('bad-role', (s) => ({ ...s, nodes: [{ ...(s.nodes as Obj[])[0], role: 'master' }] })), /\.ts:\d+: nodes\[0\]\.role: 'master' is not one of init, server, agent$/),
  scen('no-nodes', scenarioText('no-nodes', (s) => ({ ...s, nodes: [] })), /nodes: must list at least one node$/),
  scen('token-space', scenarioText('token-space', (s) => ({ ...s, cluster: { token: 'two words' } })), /cluster\.token: must not contain spaces, quotes, backslashes or %/),
  scen('no-template', scenarioText('no-template', (s) => ({ ...s, templates: { pxe: 'templates/nope.yaml', boot: 'templates/ignite-boot.yaml' } })), /\.ts:\d+: templates\.pxe: template 'templates\/nope\.yaml' does not exist$/),
  scen('bad-prefix', scenarioText('bad-prefix', (s) => ({ ...s, network: { serverIp: '10.0.0.5', prefix: 40, mirrorPort: 8080 } })), /network\.prefix: must be an integer from 8 to 30$/),
  scen('expect-outcome', scenarioText('expect-outcome', (s) => ({ ...s, expect: { outcome: 'green' } })), /expect\.outcome: must be 'pass' or 'fail'$/),
  scen('expect-no-reasons', scenarioText('expect-no-reasons', (s) => ({ ...s, expect: { outcome: 'fail' } })), /expect\.reasons: a scenario that expects to fail must name its reasons/),
  scen('expect-assertion', scenarioText('expect-assertion', (s) => ({ ...s, expect: { outcome: 'fail', reasons: [{ text: 'x', assertion: 'all-nodes-joinedd' }] } })), /\.ts:\d+: expect\.reasons\[0\]\.assertion: unknown assertion 'all-nodes-joinedd' \(known: .*all-nodes-joined/),
  scen('multiline-var', scenarioText('multiline-var', (s) => ({ ...s, variables: { motd: 'a\nb' } })), /\.ts:\d+: variables\.motd: must be a single-line string$/),
  scen('install-sh-empty', scenarioText('install-sh-empty', (s) => ({ ...s, installSh: '' })), /installSh: must be an --install-sh value/),
  // Butane / CLC, through the commands that read them
  { name: 'butane: YAML syntax', exitCode: 1, args: ['transpile', '{dir}/b.yaml'], files: { 'b.yaml': 'variant: flatcar\nversion: 1.0.0\nstorage:\n  files:\n    - path: /a\n     mode: 0644\n' }, line: /^\{dir\}\/b\.yaml:6:\d+: error: YAML syntax: / },
  { name: 'butane: unknown key', exitCode: 1, args: ['transpile', '{dir}/b.yaml'], files: { 'b.yaml': 'variant: flatcar\nversion: 1.0.0\nstorage:\n  filez: []\n' }, line: /^\{dir\}\/b\.yaml:4:\d+: error at \$\.storage\.filez: unknown key 'filez' \(did you mean 'files'\?\)$/ },
  { name: 'butane: unknown version', exitCode: 1, args: ['transpile', '{dir}/b.yaml'], files: { 'b.yaml': 'variant: flatcar\nversion: 9.9.9\n' }, line: /^\{dir\}\/b\.yaml:2:\d+: error at \$\.version: flatcar version '9\.9\.9' is not supported \(use 1\.0\.0 or 1\.1\.0\)$/ },
  { name: 'CLC: a unit without a name', exitCode: 1, args: ['transpile', '{dir}/c.yaml'], files: { 'c.yaml': 'systemd:\n  units:\n    - enabled: true\n' }, line: /^\{dir\}\/c\.yaml:3:\d+: error at \$\.systemd\.units\.0: missing required key 'name'$/ },
  { name: 'template: unknown variable', args: ['render', 'tmpl', '--out', '{dir}/out'], files: { 'scenarios/tmpl.ts': scenarioText('tmpl', (s) => ({ ...s, templates: { pxe: 'templates/ignite-pxe.yaml', boot: '{dir}/boot.yaml' } })), 'boot.yaml': 'variant: flatcar\nversion: 1.0.0\nstorage:\n  files:\n    - path: /etc/x\n      contents:\n        inline: "{{ no_such_variable }}"\n' }, env: { LAB_SCENARIOS_DIR: '{dir}/scenarios' }, line: /^lab: \S*\/boot\.yaml:7:\d+: error: template variable 'no_such_variable' is not set \(set: .*k3s_token.*\)$/ },
  // Flags and values
  { name: 'unknown command', args: ['frobnicate'], line: /^lab: unknown command 'frobnicate' \(known: .*scenario.*\)$/ },
  { name: 'unknown option', args: ['scenario', 'single-node', '--verbose'], line: /^lab: unknown option '--verbose' \(see: lab scenario --help\)$/ },
  { name: '--timeout-scale -1', args: ['scenario', 'single-node', '--timeout-scale', '-1'], line: /^lab: --timeout-scale must be a positive number, not '-1'$/ },
  { name: '--timeout-scale abc', args: ['scenario', 'single-node', '--timeout-scale', 'abc'], line: /^lab: --timeout-scale must be a positive number, not 'abc'$/ },
  { name: '--timeout-scale without a value', args: ['scenario', 'single-node', '--timeout-scale'], line: /^lab: --timeout-scale needs a value \(see: lab scenario --help\)$/ },
  { name: '--keep=yes', args: ['scenario', 'single-node', '--keep=yes'], line: /^lab: --keep takes no value/ },
  { name: '--keep and --keep-on-failure', args: ['scenario', 'single-node', '--keep', '--keep-on-failure'], line: /^lab: give --keep or --keep-on-failure, not both$/ },
  { name: 'two scenarios', args: ['scenario', 'single-node', 'three-node-ha'], line: /^lab: give exactly one scenario \(got single-node three-node-ha\); known: / },
  { name: 'unknown scenario', args: ['scenario', 'singel-node'], line: /^lab: unknown scenario 'singel-node' \(known: .*single-node.*\)$/ },
  { name: '--k3s-version and --k3s-file', args: ['scenario', 'single-node', '--k3s-version', 'v1.32.4+k3s1', '--k3s-file', '/bin/true'], line: /^lab: give --k3s-version or --k3s-file, not both$/ },
  { name: '--k3s-version not a version', args: ['scenario', 'single-node', '--k3s-version', '1.32'], line: /^lab: not a k3s release version: "1\.32" \(want e\.g\. v1\.32\.4\+k3s1\)$/ },
  { name: '--k3s-file missing', args: ['scenario', 'single-node', '--k3s-file', '{dir}/nope'], line: /^lab: k3s binary not found: \{dir\}\/nope$/ },
  { name: '--install-sh fixture mode unknown', args: ['scenario', 'single-node', '--install-sh', 'fixture:pr99999'], line: /^lab: install\.sh source "fixture:pr99999": the fixture has no mode 'pr99999' \(known: fixture:pr13712\)$/ },
  { name: 'lab clean with an argument', args: ['clean', 'now'], line: /^lab: clean takes no arguments, not 'now'/ },
  // Environment
  { name: 'LAB_ACCEL=foo', args: ['scenario', 'single-node'], env: { LAB_ACCEL: 'foo' }, line: /^lab: LAB_ACCEL=foo: want kvm or tcg \(or leave it unset: the lab probes KVM\)$/ },
  { name: 'LAB_NODE_CPUS=0', args: ['scenario', 'single-node'], env: { LAB_NODE_CPUS: '0' }, line: /^lab: LAB_NODE_CPUS=0: want a whole number of vCPUs per node from 1 to 99 \(or leave it unset: the host's cores are shared out among the nodes\)$/ },
  { name: 'LAB_CACHE_DIR under a file', args: ['scenario', 'single-node'], env: { LAB_CACHE_DIR: '{dir}/a-file/cache' }, files: { 'a-file': 'x' }, line: /^lab: LAB_CACHE_DIR: \{dir\}\/a-file\/cache is not a writable directory \(.*\); point it at one$/ },
  { name: 'LAB_OS_DIR missing', args: ['scenario', 'single-node'], env: { LAB_OS_DIR: '{dir}/no-release' }, line: /^lab: LAB_OS_DIR: \{dir\}\/no-release lacks / },
  { name: 'LAB_SCENARIOS_DIR missing', args: ['scenario', 'single-node'], env: { LAB_SCENARIOS_DIR: '{dir}/none' }, line: /^lab: LAB_SCENARIOS_DIR: \{dir\}\/none is not a directory$/ },
  // Damaged caches, found by their hashes
  {
    name: 'a cached k3s release whose hash no longer matches',
    args: ['scenario', 'single-node', '--k3s-version', 'v1.32.4+k3s1'],
    env: { LAB_CACHE_DIR: '{dir}/cache', LAB_OS_DIR: '{dir}/release' },
    setup: (dir) => {
      fakeRelease(join(dir, 'release'));
      const rel = join(dir, 'cache/k3s/releases/v1.32.4+k3s1');
      mkdirSync(rel, { recursive: true });
      writeFileSync(join(rel, 'sha256sum-amd64.txt'), `${createHash('sha256').update('the real k3s').digest('hex')}  k3s\n`);
      writeFileSync(join(rel, 'k3s'), 'a k3s cut short');
    },
    line: /^lab: k3s v1\.32\.4\+k3s1 in the cache \(\{dir\}\/cache\/k3s\/releases\/v1\.32\.4\+k3s1\) is damaged: its sha256 [0-9a-f]{12}… is not sha256sum-amd64\.txt's [0-9a-f]{12}…; pass --online to fetch it again, or remove that directory$/,
  },
  {
    name: 'a cached lab OS whose disk image was cut short',
    args: ['scenario', 'single-node'],
    env: { LAB_CACHE_DIR: '{dir}/cache', LAB_OS_DIR: '' },
    setup: async (dir) => {
      // The cache entry the current recipe maps to, as a build leaves it, then the image truncated.
      const entry = await labOsDirForRecipe(join(dir, 'cache'));
      const files = fakeRelease(join(entry, 'mirror/amd64-usr/9000.1.0'));
      writeFileSync(join(entry, 'manifest.json'), JSON.stringify({ kind: 'flatcar-lab-os', version: '9000.1.0', board: 'amd64-usr', files }));
      truncateSync(join(entry, 'mirror/amd64-usr/9000.1.0', flatcarFiles.image), 10);
    },
    line: /^lab: lab OS cache \{dir\}\/cache\/lab-os\/[0-9a-f]{16} is damaged: flatcar_production_image\.bin\.bz2 is 10 bytes, its build wrote 4096; rebuild it: npm run lab -- images build --force$/,
  },
];

/** A release directory with Flatcar's file names (contents made up): what LAB_OS_DIR and the cache hold. */
function fakeRelease(dir: string): Record<string, { bytes: number; sha256: string }> {
  mkdirSync(dir, { recursive: true });
  const files: Record<string, { bytes: number; sha256: string }> = {};
  for (const name of Object.values(flatcarFiles)) {
    const body = name === flatcarFiles.versionTxt ? 'FLATCAR_VERSION=9000.1.0\n' : Buffer.alloc(4096, name);
    writeFileSync(join(dir, name), body);
    files[name] = { bytes: Buffer.byteLength(body), sha256: createHash('sha256').update(body).digest('hex') };
  }
  return files;
}

let shared: string | undefined;
function sharedRelease(): string {
  if (!shared) fakeRelease((shared = join(work, 'release')));
  return shared;
}

function substitute(s: string, dir: string): string {
  return s.replaceAll('{dir}', dir);
}

/** Every path under dir with its size: what a case must not have added to. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const st = statSync(p);
      out.push(`${p} ${st.isDirectory() ? 'dir' : st.size}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

describe.concurrent('bad input: one line naming the place and the fix, exit 2, nothing half-written', () => {
  it('the corpus has at least 30 inputs', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });
  cases.forEach((c, i) => {
    it(c.name, async () => {
      const dir = join(work, `case-${i}`);
      mkdirSync(dir, { recursive: true });
      for (const [rel, text] of Object.entries(c.files ?? {})) {
        mkdirSync(join(dir, rel, '..'), { recursive: true });
        writeFileSync(join(dir, rel), substitute(text, dir));
      }
      await c.setup?.(dir);
      const reports = join(dir, 'reports');
      mkdirSync(reports);
      // A made-up release by default: a case that slipped past its refusal must not build the lab OS.
      const env = Object.fromEntries(Object.entries({ LAB_CACHE_DIR: join(dir, 'cache'), LAB_STATE_DIR: join(dir, 'state'), LAB_OS_DIR: sharedRelease(), ...c.env }).map(([k, v]) => [k, substitute(v, dir)]));
      const args = c.args.map((a) => substitute(a, dir));
      if (args[0] === 'scenario') args.push('--reports', reports);
      const before = snapshot(dir);
      const r = await execa(process.execPath, ['--import', tsx, join(projectRoot, 'harness/cli.ts'), ...args], { cwd: projectRoot, reject: false, env, timeout: 60_000 });
      const lines = r.stderr.split('\n').filter((l) => l.trim());
      expect(lines, `stderr of: lab ${args.join(' ')}`).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(c.line.source.replaceAll('\\{dir\\}', dir.replace(/[.*+?^$()[\]\\|{}]/g, '\\$&'))));
      expect(r.exitCode).toBe(c.exitCode ?? 2);
      // Nothing half-written: no report folder, no cache entry, no run record.
      expect(snapshot(dir)).toEqual(before);
    });
  });
});
