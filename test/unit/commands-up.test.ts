import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lab, refusalLine } from './support/labCli.ts';
import { formatUp, hasSshKey, namedK3sVersions, parseUpArgs, renderedMismatches, type UpSummary } from '../../harness/commands/up.ts';
import { UsageError } from '../../harness/errors.ts';
import scenario from '../../scenarios/single-node.ts';

const up = (args: string[], env: Record<string, string> = {}) => lab(['up', ...args], env);

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'commands-up-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The fkl-up-* temp dirs that exist now (a failed `lab up` must leave none). */
const upTempDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith('fkl-up-single-node-'));

describe('lab up: bad input exits 2 with one line, nothing started', () => {
  it('an unknown option', async () => {
    expect(refusalLine(await up(['single-node', '--services-only', '--frobnicate']))).toMatch(/^lab: unknown option '--frobnicate' \(see: lab up --help\)$/);
  });
  it('no scenario', async () => {
    expect(refusalLine(await up(['--services-only']))).toMatch(/^lab: usage: lab up .*scenarios: .*single-node/);
  });
  it('an unknown scenario', async () => {
    expect(refusalLine(await up(['no-such-scenario', '--services-only']))).toMatch(/^lab: unknown scenario 'no-such-scenario'/);
  });
  it('both --k3s-version and --k3s-file', async () => {
    expect(refusalLine(await up(['single-node', '--services-only', '--k3s-version', 'v1.32.4+k3s1', '--k3s-file', '/bin/true']))).toBe('lab: give --k3s-version or --k3s-file, not both');
  });
  it('a --rendered dir without tftp/', async () => {
    const d = tempDir();
    expect(refusalLine(await up(['single-node', '--services-only', '--rendered', d]))).toBe(`lab: ${d}: no tftp/ in it (write it with \`lab render single-node\`)`);
  });
  it('a --rendered dir of another scenario', async () => {
    const d = tempDir();
    mkdirSync(join(d, 'tftp'));
    writeFileSync(join(d, 'render.json'), JSON.stringify({ scenario: 'three-node-ha' }));
    expect(refusalLine(await up(['single-node', '--services-only', '--rendered', d]))).toBe(`lab: ${d} was rendered from scenario 'three-node-ha', not 'single-node'`);
  });
  it('a lab OS directory that lacks the release files: no temp dir left', async () => {
    const before = upTempDirs();
    const line = refusalLine(await up(['single-node', '--services-only'], { LAB_OS_DIR: '/nonexistent/release' }));
    expect(line).toMatch(/^lab: LAB_OS_DIR: \/nonexistent\/release lacks .* \(build it: npm run lab -- images build\)$/);
    expect(upTempDirs()).toEqual(before);
  });
});

describe('parseUpArgs', () => {
  it('reads the artifact options as `lab scenario` does', () => {
    expect(parseUpArgs(['single-node', '--services-only'])).toEqual({ scenario: 'single-node', k3s: { kind: 'double' }, online: false });
    const a = parseUpArgs(['single-node', '--services-only', '--k3s-version', 'v1.32.4+k3s1', '--install-sh', 'v1.32.4+k3s1', '--online', '--rendered', 'out']);
    expect(a.k3s).toEqual({ kind: 'release', version: 'v1.32.4+k3s1' });
    expect(a.installSh).toEqual({ kind: 'ref', ref: 'v1.32.4+k3s1' });
    expect(a.online).toBe(true);
    expect(a.rendered).toBe(join(process.cwd(), 'out'));
    expect(parseUpArgs(['x', '--services-only', '--install-sh', './my/install.sh']).installSh).toEqual({ kind: 'file', path: './my/install.sh' });
    expect(parseUpArgs(['x', '--services-only', '--install-sh', 'https://get.k3s.io']).installSh).toEqual({ kind: 'url', url: 'https://get.k3s.io' });
  });
  it('refuses without --services-only and with two scenarios', () => {
    expect(() => parseUpArgs(['single-node'])).toThrow(UsageError);
    expect(() => parseUpArgs(['a', 'b', '--services-only'])).toThrow(/one scenario only/);
  });
});

describe('what lab up prints', () => {
  const summary: UpSummary = {
    runId: '0123abcd',
    scenario,
    mirrorUrl: 'http://10.0.0.5:8080',
    nsenter: 'nsenter --net=/run/netns/fkl-0123abcd',
    nodes: [{ name: 'node-1', role: 'init', mac: '52:54:00:00:00:46', ip: '10.0.0.70', tap: 'fkt0123abcd0' }],
    labOs: { version: '4012.0.0', description: 'lab OS 4012.0.0 (cached)' },
    k3s: { version: 'v1.32.4+k3s1', description: 'K3s double' },
    installSh: 'install.sh FIXTURE',
    configs: { dir: '/tmp/fkl-up-single-node-x/render', renderedNow: true },
    sshKey: '/tmp/fkl-up-single-node-x/ssh/id_ed25519',
    logDir: '/run/lab/0123abcd/logs',
    tempDir: '/tmp/fkl-up-single-node-x',
  };
  it('the nsenter line first, then each node with MAC/IP, the key, and how it ends', () => {
    const lines = formatUp(summary).split('\n');
    expect(lines[0]).toBe('lab 0123abcd up (single-node, mirror http://10.0.0.5:8080); enter it with: nsenter --net=/run/netns/fkl-0123abcd bash');
    expect(lines[1]).toMatch(/^ {2}node-1 {2}init +mac 52:54:00:00:00:46 {2}ip 10\.0\.0\.70 {2}pxelinux\.cfg\/0A000046 {2}tap fkt0123abcd0$/);
    expect(lines.join('\n')).toContain('ssh key: /tmp/fkl-up-single-node-x/ssh/id_ed25519 (user core on every node; log in with: nsenter --net=/run/netns/fkl-0123abcd ssh -i /tmp/fkl-up-single-node-x/ssh/id_ed25519 core@10.0.0.70)');
    expect(lines).toContain('  flatcar: 4012.0.0 at /flatcar/amd64-usr/4012.0.0/ and /flatcar/amd64-usr/current/: lab OS 4012.0.0 (cached)');
    expect(lines).toContain('  k3s:     v1.32.4+k3s1 at /k3s/releases/download/v1.32.4+k3s1/: K3s double');
    expect(lines).toContain('  install: /k3s/install.sh: install.sh FIXTURE');
    expect(lines.at(-1)).toBe('Ctrl-C tears it all down (network, services, /tmp/fkl-up-single-node-x)');
  });
  it('never the token', () => {
    const leaky = { ...summary, installSh: `install.sh with K3S_TOKEN=${scenario.cluster.token}`, k3s: { ...summary.k3s, description: `k3s ${scenario.cluster.token}` } };
    const out = formatUp(leaky);
    expect(out).not.toContain(scenario.cluster.token);
    expect(out).toContain('<redacted>');
  });
});

describe('a --rendered dir checked against what the lab serves', () => {
  const cfg = (kernel: string) => `default flatcar\nlabel flatcar\n  kernel ${kernel}\n  append initrd=x\n`;
  it('names a kernel elsewhere, or another lab OS version', () => {
    const d = tempDir();
    mkdirSync(join(d, 'pxelinux.cfg'));
    writeFileSync(join(d, 'pxelinux.cfg', '0A000046'), cfg('http://10.0.0.5:8080/flatcar/amd64-usr/current/flatcar_production_pxe.vmlinuz'));
    writeFileSync(join(d, 'pxelinux.cfg', '0A000047'), cfg('http://10.0.0.5:8080/flatcar/amd64-usr/4012.0.0/flatcar_production_pxe.vmlinuz'));
    expect(renderedMismatches(d, 'http://10.0.0.5:8080', '4012.0.0')).toEqual([]);
    writeFileSync(join(d, 'pxelinux.cfg', '0A000048'), cfg('http://10.0.0.5:8080/flatcar/amd64-usr/3999.0.0/flatcar_production_pxe.vmlinuz'));
    writeFileSync(join(d, 'pxelinux.cfg', '0A000049'), cfg('http://elsewhere/k'));
    const problems = renderedMismatches(d, 'http://10.0.0.5:8080', '4012.0.0');
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).toMatch(/0A000048 names lab OS 3999\.0\.0; this lab serves 4012\.0\.0/);
    expect(problems.join('\n')).toMatch(/0A000049 names kernel http:\/\/elsewhere\/k, which is not on this lab's mirror/);
  });
  it('reads the k3s versions install.sh is told to fetch', () => {
    const d = tempDir();
    mkdirSync(join(d, 'ignition'));
    writeFileSync(join(d, 'ignition', 'node-1-ignite-boot.ign'), JSON.stringify({ systemd: { units: [{ contents: '[Service]\nEnvironment=INSTALL_K3S_VERSION=v1.31.0+k3s1 GITHUB_URL=x\n' }] } }));
    expect(namedK3sVersions(d)).toEqual(['v1.31.0+k3s1']);
    expect(namedK3sVersions(join(d, 'nothing'))).toEqual([]);
    expect(hasSshKey(d)).toBe(false);
    writeFileSync(join(d, 'ignition', 'node-1-ignite-pxe.ign'), JSON.stringify({ passwd: { users: [{ name: 'core', sshAuthorizedKeys: ['ssh-ed25519 AAAA x'] }] } }));
    expect(hasSshKey(d)).toBe(true);
  });
});
