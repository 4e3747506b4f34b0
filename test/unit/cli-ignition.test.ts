// The real CLI (npx tsx harness/cli.ts …): transpile as ct is used, render, lint, and bad input.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../harness/paths.ts';
import { validateIgnition } from '../../harness/ignition/validate.ts';

const work = mkdtempSync(join(tmpdir(), 'cli-ignition-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function lab(args: string[], opts: { input?: string; env?: Record<string, string> } = {}) {
  return execa('npx', ['tsx', 'harness/cli.ts', ...args], { cwd: projectRoot, reject: false, input: opts.input ?? '', env: opts.env });
}

describe('lab transpile', () => {
  it('reads stdin and writes valid Ignition to stdout, like ct < in.yaml > out.ign', async () => {
    const r = await lab(['transpile'], { input: readFileSync(join(projectRoot, 'test/fixtures/golden/clc-seed-shape.yaml'), 'utf8') });
    expect(r.exitCode).toBe(0);
    expect(r.stdout + '\n').toBe(readFileSync(join(projectRoot, 'test/fixtures/golden/clc-seed-shape.ign'), 'utf8'));
    expect((await validateIgnition(r.stdout)).ok).toBe(true);
  });

  it("warns about the seed's mode: 777 on stderr, and --strict refuses with no output", async () => {
    const input = readFileSync(join(projectRoot, 'test/fixtures/seed/node-1-ignite-boot.yaml'), 'utf8');
    const loose = await lab(['transpile'], { input });
    expect(loose.exitCode).toBe(0);
    expect(loose.stderr).toMatch(/^stdin:7:13: warning at \$\.storage\.files\.0\.mode: mode 777 is decimal/);
    const strict = await lab(['transpile', '--strict'], { input });
    expect(strict.exitCode).toBe(1);
    expect(strict.stdout).toBe('');
  });

  it('an error is a located line on stderr, exit 1, nothing on stdout', async () => {
    const r = await lab(['transpile'], { input: 'variant: flatcar\nversion: 1.0.0\nsystemd:\n  units:\n    - name: a.service\n      enabled: maybe\n' });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe("stdin:6:16: error at $.systemd.units.0.enabled: expected a boolean (true or false), got 'maybe'");
  });
});

describe('lab render', () => {
  it('three-node-ha writes 0A000046..48 and six valid Ignition files', async () => {
    const out = join(work, 'three');
    const r = await lab(['render', 'three-node-ha', '--out', out]);
    expect(r.exitCode).toBe(0);
    expect(readdirSync(join(out, 'tftp/pxelinux.cfg')).sort()).toEqual(['0A000046', '0A000047', '0A000048']);
    const ignFiles = readdirSync(join(out, 'tftp/ignition'));
    expect(ignFiles).toHaveLength(6);
    for (const f of ignFiles) expect((await validateIgnition(readFileSync(join(out, 'tftp/ignition', f), 'utf8'))).ok).toBe(true);
  });

  it('an unknown scenario: one line, exit 2, nothing written', async () => {
    const out = join(work, 'nope');
    const r = await lab(['render', 'five-node', '--out', out]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toMatch(/^lab: unknown scenario 'five-node' \(known: .*three-node-ha.*\)$/);
    expect(existsSync(out)).toBe(false);
  });

  it('a missing template variable: one line with file:line:column, exit 2, nothing written', async () => {
    const dir = join(work, 'scenarios');
    mkdirSync(dir, { recursive: true });
    const template = join(work, 'boot.yaml');
    writeFileSync(template, 'variant: flatcar\nversion: 1.0.0\nstorage:\n  files:\n    - path: /etc/hostname\n      contents:\n        inline: {{ node_name }}\n');
    writeFileSync(
      join(dir, 'broken.ts'),
      `export default { name: 'broken', description: '', network: { prefix: 24, serverIp: '10.0.0.5', mirrorPort: 8080 }, nodes: [{ name: 'node-1', mac: '52:54:00:00:00:46', ip: '10.0.0.70', role: 'init' }], cluster: { token: 't' }, templates: { pxe: 'templates/ignite-pxe.yaml', boot: ${JSON.stringify(template)} } };\n`,
    );
    const out = join(work, 'broken-out');
    const r = await lab(['render', 'broken', '--out', out], { env: { LAB_SCENARIOS_DIR: dir } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^lab: .*boot\.yaml:7:17: error: template variable 'node_name' is not set \(set: .*hostname.*\)$/)]);
    expect(existsSync(out)).toBe(false);
  });
});

describe('lab lint', () => {
  it("the seed's configs: file:line: rule: message (fix), exit 1", async () => {
    const r = await lab(['lint', 'seed-literal']);
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.split('\n');
    for (const rule of ['env-near-miss', 'token-mismatch', 'decimal-mode', 'forking-oneshot', 'cluster-init']) {
      expect(lines.some((l) => new RegExp(`^test/fixtures/seed/node-\\d-ignite-(boot|pxe)\\.yaml:\\d+: ${rule}: .+ \\(.+\\)$`).test(l))).toBe(true);
    }
    expect(r.stdout).not.toMatch(/secret_?edge/);
  });

  it('the shipped templates: clean, exit 0', async () => {
    const r = await lab(['lint', 'three-node-ha']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/0 error\(s\), 0 warning\(s\), 1 allowed/);
  });
});
