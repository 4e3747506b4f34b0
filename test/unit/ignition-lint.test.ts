// Lint: the seed's configs as written report each of their mistakes; the shipped templates are clean.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatFinding, lint } from '../../harness/ignition/lint/lint.ts';
import { fileTargets, scenarioTargets } from '../../harness/ignition/lint/targets.ts';
import type { LintContext, LintTarget } from '../../harness/ignition/lint/types.ts';
import { intendedVariable } from '../../harness/ignition/lint/facts.ts';
import { documentedVariables } from '../../harness/ignition/lint/installShEnv.ts';
import { readConfig } from '../../harness/ignition/transpile.ts';
import { projectRoot } from '../../harness/paths.ts';
import { loadScenario } from '../../harness/scenario/model.ts';
import type { Topology } from '../../harness/scenario/topology.ts';

const seed = (f: string): string => join('test/fixtures/seed', f);

describe('lint on the seed configs as written', () => {
  process.chdir(projectRoot);
  const files = [1, 2, 3].flatMap((n) => [seed(`node-${n}-ignite-pxe.yaml`), seed(`node-${n}-ignite-boot.yaml`)]);
  const { ctx, configErrors } = fileTargets(files);
  const { findings } = lint(ctx);
  const lines = findings.map(formatFinding);
  const at = (rule: string, file: string): string[] => lines.filter((l) => l.startsWith(`${seed(file)}:`) && l.includes(`: ${rule}: `));

  it('reads all six configs', () => {
    expect(configErrors).toEqual([]);
    expect(ctx.targets).toHaveLength(6);
  });

  it('K3STOKEN and INSTALLK3S_EXEC → the documented names, at their lines', () => {
    expect(at('env-near-miss', 'node-1-ignite-boot.yaml')).toEqual([
      `${seed('node-1-ignite-boot.yaml')}:27: env-near-miss: k3s-install.service: K3STOKEN is not read by install.sh; it documents K3S_TOKEN (rename K3STOKEN to K3S_TOKEN)`,
      `${seed('node-1-ignite-boot.yaml')}:28: env-near-miss: k3s-install.service: INSTALLK3S_EXEC is not read by install.sh; it documents INSTALL_K3S_EXEC (rename INSTALLK3S_EXEC to INSTALL_K3S_EXEC)`,
    ]);
  });

  it('the two different tokens, without printing them', () => {
    const mismatch = findings.filter((f) => f.rule === 'token-mismatch');
    expect(mismatch.map((f) => `${f.file}:${f.line}`)).toEqual([`${seed('node-2-ignite-boot.yaml')}:27`, `${seed('node-3-ignite-boot.yaml')}:27`]);
    for (const f of mismatch) expect(`${f.message} ${f.fix}`).not.toMatch(/secret/);
  });

  it('mode: 777 in each boot config', () => {
    for (const n of [1, 2, 3]) expect(at('decimal-mode', `node-${n}-ignite-boot.yaml`)).toEqual([expect.stringContaining(':7: decimal-mode: /opt/k3s-install.sh: mode 777 is decimal, i.e. 0o1411')]);
  });

  it('Type=forking in both units of every node', () => {
    for (const n of [1, 2, 3]) {
      expect(at('forking-oneshot', `node-${n}-ignite-boot.yaml`)).toEqual([expect.stringContaining(':23: forking-oneshot: k3s-install.service: Type=forking')]);
      expect(at('forking-oneshot', `node-${n}-ignite-pxe.yaml`)).toEqual([expect.stringContaining(':19: forking-oneshot: installer.service: Type=forking')]);
    }
  });

  it('so no node runs --cluster-init', () => {
    expect(findings.filter((f) => f.rule === 'cluster-init').map((f) => `${f.file}:${f.line}`)).toEqual([`${seed('node-1-ignite-boot.yaml')}:27`]);
  });

  it('remote files without a hash are warnings', () => {
    const w = findings.filter((f) => f.rule === 'remote-without-hash');
    expect(w).toHaveLength(6);
    expect(w.every((f) => f.severity === 'warning')).toBe(true);
  });

  it('the seed-literal scenario reports the same mistakes with node names', async () => {
    const { ctx: sctx } = scenarioTargets(await loadScenario('seed-literal'));
    const msgs = lint(sctx).findings.map(formatFinding);
    expect(msgs).toContain(`${seed('node-2-ignite-boot.yaml')}:27: token-mismatch: node-2's K3S_TOKEN differs from node-1's K3STOKEN (${seed('node-1-ignite-boot.yaml')}:27): it cannot join (use one token for the whole cluster (one variable in the template))`);
    expect(msgs.some((m) => m.includes('cluster-init: no node runs --cluster-init') && m.includes('node-1'))).toBe(true);
  });
});

describe('the shipped templates lint clean', () => {
  it.each(['single-node', 'three-node-ha'])('%s: no findings (one allowed remote-without-hash, visible in the template)', async (name) => {
    process.chdir(projectRoot);
    const { ctx, configErrors } = scenarioTargets(await loadScenario(name));
    expect(configErrors).toEqual([]);
    const { findings, allowed } = lint(ctx);
    expect(findings.map(formatFinding)).toEqual([]);
    expect(allowed.map((f) => `${f.file}:${f.rule}`)).toEqual(['templates/ignite-boot.yaml:remote-without-hash']);
  });
});

// Small configs exercising one rule each.
function boot(env: string, extraUnit = '', file = 'n.yaml', guard = 'ConditionPathExists=!/opt/k3s-install.done'): LintTarget {
  const text = `variant: flatcar\nversion: 1.0.0\nstorage:\n  files:\n    - path: /opt/k3s-install.sh\n      mode: 0755\n      contents:\n        source: https://get.k3s.io\n        verification:\n          hash: sha256-${'a'.repeat(64)}\nsystemd:\n  units:\n    - name: k3s-install.service\n      contents: |\n        [Unit]\n        ConditionPathExists=/opt/k3s-install.sh\n        ${guard}\n        [Service]\n        Type=oneshot\n${env
    .split('\n')
    .map((l) => `        ${l}`)
    .join('\n')}\n        ExecStart=/usr/bin/sh -c "/opt/k3s-install.sh"\n        ExecStartPost=/usr/bin/sh -c "sync && touch /opt/k3s-install.done && sync"\n${extraUnit}`;
  return { file, text, source: readConfig(text, { file }).source };
}

const topo: Topology = {
  network: { prefix: 24, serverIp: '10.0.0.5', mirrorPort: 8080 },
  nodes: [
    { name: 'node-1', mac: '52:54:00:00:00:46', ip: '10.0.0.70', role: 'init' },
    { name: 'node-2', mac: '52:54:00:00:00:47', ip: '10.0.0.71', role: 'server' },
  ],
};
const rules = (ctx: LintContext): string[] => lint(ctx).findings.map((f) => `${f.file}:${f.line}:${f.rule}`);
const withNode = (t: LintTarget, i: number): LintTarget => ({ ...t, node: topo.nodes[i] });

describe('lint rules one by one', () => {
  it('a correct pair is clean', () => {
    const a = withNode(boot('Environment="K3S_TOKEN=t" "INSTALL_K3S_EXEC=server --cluster-init"', '', 'a.yaml'), 0);
    const b = withNode(boot(`Environment="K3S_TOKEN=t"\nEnvironment="INSTALL_K3S_EXEC='--server' 'https://10.0.0.70:6443'"`, '', 'b.yaml'), 1);
    expect(rules({ targets: [a, b], topology: topo })).toEqual([]);
  });

  it('server-url: wrong port, not a server of the topology, http', () => {
    const a = withNode(boot('Environment="K3S_TOKEN=t" "INSTALL_K3S_EXEC=server --cluster-init"', '', 'a.yaml'), 0);
    for (const url of ['https://10.0.0.70:443', 'https://10.0.0.99:6443', 'http://10.0.0.70:6443']) {
      const b = withNode(boot(`Environment="K3S_TOKEN=t" "INSTALL_K3S_EXEC=server --server ${url}"`, '', 'b.yaml'), 1);
      expect(rules({ targets: [a, b], topology: topo })).toEqual(['b.yaml:20:server-url']);
    }
  });

  it('cluster-init: two nodes both initialising', () => {
    const a = withNode(boot('Environment="K3S_TOKEN=t" "INSTALL_K3S_EXEC=server --cluster-init"', '', 'a.yaml'), 0);
    const b = withNode(boot('Environment="K3S_TOKEN=t" "INSTALL_K3S_EXEC=server --cluster-init"', '', 'b.yaml'), 1);
    expect(rules({ targets: [a, b], topology: topo })).toEqual(['b.yaml:20:cluster-init']);
  });

  it('join-without-token: K3S_URL with no K3S_TOKEN', () => {
    const a = withNode(boot('Environment="K3S_TOKEN=t" "INSTALL_K3S_EXEC=server --cluster-init"', '', 'a.yaml'), 0);
    const b = withNode(boot('Environment="K3S_URL=https://10.0.0.70:6443"', '', 'b.yaml'), 1);
    expect(rules({ targets: [a, b], topology: topo })).toEqual(['b.yaml:20:join-without-token']);
  });

  it("guard-survives-power-cut: the seed's !/opt/bin/k3s guard is a warning naming the window and the fix", () => {
    const seedGuard = boot('Environment="K3S_TOKEN=t"', '', 'a.yaml', 'ConditionPathExists=!/opt/bin/k3s');
    const f = lint({ targets: [seedGuard] }).findings;
    expect(f.map((x) => `${x.file}:${x.line}:${x.rule}:${x.severity}`)).toEqual(['a.yaml:17:guard-survives-power-cut:warning']);
    expect(f[0]!.message).toContain('between install.sh moving k3s into /opt/bin and writing and starting k3s.service');
    expect(f[0]!.fix).toContain('ConditionPathExists=!/opt/k3s-install.done');
    // A stamp the unit never writes is no guard at all.
    const noStamp = { ...seedGuard, text: seedGuard.text.replace('!/opt/bin/k3s', '!/opt/k3s-install.ok') };
    expect(rules({ targets: [{ ...noStamp, source: readConfig(noStamp.text, { file: 'a.yaml' }).source }] })).toEqual(['a.yaml:15:k3s-install-guard']);
  });

  it('k3s-install-guard: no first-boot guard, or a guard on /usr/local/bin', () => {
    const none = boot('Environment="K3S_TOKEN=t"', '', 'a.yaml', '');
    expect(rules({ targets: [none] })).toEqual(['a.yaml:15:k3s-install-guard']);
    const wrong = boot('Environment="K3S_TOKEN=t"', '', 'a.yaml', 'ConditionPathExists=!/usr/local/bin/k3s');
    expect(lint({ targets: [wrong] }).findings.map((f) => `${f.line}:${f.message}`)).toEqual([expect.stringMatching(/^17:.*!\/usr\/local\/bin\/k3s checks a path/)]);
  });

  it('usr-local-bin: INSTALL_K3S_BIN_DIR=/usr/local/bin', () => {
    expect(rules({ targets: [boot('Environment="K3S_TOKEN=t" "INSTALL_K3S_BIN_DIR=/usr/local/bin"')] })).toEqual(['n.yaml:20:usr-local-bin']);
  });

  it('env-near-miss: checks the whole documented list, not only the seed\'s two names', () => {
    expect(intendedVariable('K3STOKEN')).toBe('K3S_TOKEN');
    expect(intendedVariable('INSTALLK3S_EXEC')).toBe('INSTALL_K3S_EXEC');
    expect(intendedVariable('INSTALL_K3S_SKIP_DOWNLAOD')).toBe('INSTALL_K3S_SKIP_DOWNLOAD');
    expect(intendedVariable('K3S_KUBECONFIGMODE')).toBe('K3S_KUBECONFIG_MODE');
    expect(intendedVariable('GITHUBURL')).toBe('GITHUB_URL');
    expect(intendedVariable('PATH')).toBeUndefined();
    for (const v of documentedVariables) expect(intendedVariable(v)).toBeUndefined();
  });

  it('lint-allow on the line above suppresses exactly that rule', () => {
    const t = boot('Environment="K3S_TOKEN=t"');
    const noHash = { ...t, text: t.text.replace(/        verification:\n.*\n/, ''), source: readConfig(t.text.replace(/        verification:\n.*\n/, ''), { file: 'n.yaml' }).source };
    expect(rules({ targets: [noHash] })).toEqual(['n.yaml:8:remote-without-hash']);
    const allowedText = noHash.text.replace('        source: https://get.k3s.io', '        # lint-allow remote-without-hash: test\n        source: https://get.k3s.io');
    const allowed = { ...noHash, text: allowedText, source: readConfig(allowedText, { file: 'n.yaml' }).source };
    expect(lint({ targets: [allowed] }).findings).toEqual([]);
    expect(lint({ targets: [allowed] }).allowed.map((f) => f.rule)).toEqual(['remote-without-hash']);
  });
});
