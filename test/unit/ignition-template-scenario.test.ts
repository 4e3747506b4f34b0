// Template variables and scenario data: a missing variable or a bad node is one error with a location.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../harness/ignition/diagnostics.ts';
import { k3sExec, nodeVariables } from '../../harness/ignition/nodeVariables.ts';
import { renderTemplate, templateVariablesUsed } from '../../harness/ignition/template.ts';
import { listScenarios, loadScenario, validateScenario } from '../../harness/scenario/model.ts';

describe('renderTemplate', () => {
  it('fills placeholders and keeps every line where it was', () => {
    const out = renderTemplate('a: {{ x }}\nb: {{y}} and {{ x }}\n', { x: '1', y: 'two' }, 't.yaml');
    expect(out).toBe('a: 1\nb: two and 1\n');
    expect(templateVariablesUsed('{{ a }} {{b}} {{ a }}')).toEqual(['a', 'b']);
  });

  it('a missing variable names file:line:column and what is set', () => {
    try {
      renderTemplate('a: 1\n  token: {{ k3s_tokn }}\n', { k3s_token: 's' }, 'templates/t.yaml');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toBe("templates/t.yaml:2:10: error: template variable 'k3s_tokn' is not set (set: k3s_token)");
    }
  });

  it('multi-line values and unclosed braces are refused', () => {
    expect(() => renderTemplate('{{ a }}', { a: 'x\ny' }, 't')).toThrow(/must be a single line/);
    expect(() => renderTemplate('x: {{ a\n', { a: '1' }, 't')).toThrow(/t:1:4: error: unclosed/);
  });
});

describe('scenarios', () => {
  it('ships single-node, three-node-ha and seed-literal', () => {
    expect(listScenarios()).toEqual(expect.arrayContaining(['single-node', 'three-node-ha', 'seed-literal']));
  });

  it('three-node-ha: node-1..3 at 10.0.0.70-72, one init, the others join node-1', async () => {
    const s = await loadScenario('three-node-ha');
    expect(s.nodes.map((n) => [n.name, n.ip, n.role])).toEqual([
      ['node-1', '10.0.0.70', 'init'],
      ['node-2', '10.0.0.71', 'server'],
      ['node-3', '10.0.0.72', 'server'],
    ]);
    expect(new Set(s.nodes.map((n) => n.mac)).size).toBe(3);
    expect(s.nodes.map((n) => k3sExec(s, n))).toEqual(['server --cluster-init', 'server --server https://10.0.0.70:6443', 'server --server https://10.0.0.70:6443']);
    expect(nodeVariables(s, s.nodes[1]!)).toMatchObject({ hostname: 'node-2', pxe_server: 'http://10.0.0.5:8080', k3s_token: s.cluster.token });
  });

  it('an unknown scenario lists the known ones', async () => {
    await expect(loadScenario('four-node')).rejects.toThrow(/^unknown scenario 'four-node' \(known: .*three-node-ha/);
  });

  const base = () => ({
    name: 'x',
    description: 'd',
    network: { prefix: 24, serverIp: '10.0.0.5', mirrorPort: 8080 },
    nodes: [
      { name: 'node-1', mac: '52:54:00:00:00:46', ip: '10.0.0.70', role: 'init' },
      { name: 'node-2', mac: '52:54:00:00:00:47', ip: '10.0.0.71', role: 'server' },
    ],
    cluster: { token: 't' },
    templates: { pxe: 'templates/ignite-pxe.yaml', boot: 'templates/ignite-boot.yaml' },
  });

  it('names the file and line of a duplicate MAC', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scn-'));
    const file = join(dir, 'x.ts');
    const s = base();
    s.nodes[1]!.mac = '52:54:00:00:00:46';
    writeFileSync(file, `export default {\n  nodes: [\n    { mac: '52:54:00:00:00:46' },\n  ],\n};\n`);
    try {
      expect(() => validateScenario(s, file)).toThrow(`${file}:3: nodes[1].mac: '52:54:00:00:00:46' is used by two nodes`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['an IP outside the lab subnet', (s: ReturnType<typeof base>) => (s.nodes[1]!.ip = '10.0.1.71'), /outside the lab subnet 10\.0\.0\.5\/24/],
    ['an upper-case MAC', (s: ReturnType<typeof base>) => (s.nodes[1]!.mac = '52:54:00:00:00:4F'), /not a lower-case MAC/],
    ['two init nodes', (s: ReturnType<typeof base>) => (s.nodes[1]!.role = 'init'), /2 nodes have role 'init'/],
    ['an unknown role', (s: ReturnType<typeof base>) => (s.nodes[1]!.role = 'master'), /'master' is not one of init, server, agent/],
    ['a missing template', (s: ReturnType<typeof base>) => (s.templates.boot = 'templates/nope.yaml'), /template 'templates\/nope.yaml' does not exist/],
    ['a token with a quote', (s: ReturnType<typeof base>) => (s.cluster.token = 'a"b'), /must not contain spaces, quotes/],
    ['a token with a systemd specifier', (s: ReturnType<typeof base>) => (s.cluster.token = 'a%hb'), /or %/],
    ['an unknown key', (s: ReturnType<typeof base>) => Object.assign(s, { stepz: [] }), /stepz: unknown key/],
  ])('rejects %s', (_what, mutate, message) => {
    const s = base();
    mutate(s);
    expect(() => validateScenario(s, '/nonexistent/x.ts')).toThrow(message);
  });
});
