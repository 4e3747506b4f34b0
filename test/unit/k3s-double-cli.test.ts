import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flagSets, parseFlags, str, bool, list } from '../../images/k3s-double/src/args.ts';
import { formatNodeToken, parseToken } from '../../images/k3s-double/src/token.ts';
import { redact, scrub, resetRedactionsForTest } from '../../images/k3s-double/src/log.ts';
import { redactedArgs } from '../../images/k3s-double/src/server/run.ts';
import { formatNodes } from '../../images/k3s-double/src/kubectl.ts';

const noConfig = { K3S_CONFIG_FILE: '/nonexistent/config.yaml' } as NodeJS.ProcessEnv;

describe('K3s double command line', () => {
  it('reads k3s flags in both spellings, short aliases, repeatable and comma lists', () => {
    const f = parseFlags(
      ['--cluster-init', '--token=abc', '-d', '/data', '--tls-san', 'a.example', '--tls-san=b.example,c.example', '--disable', 'traefik', '--node-name', 'n1', '--write-kubeconfig-mode', '644'],
      flagSets.server,
      noConfig,
    );
    expect(bool(f, 'cluster-init')).toBe(true);
    expect(str(f, 'token')).toBe('abc');
    expect(str(f, 'data-dir')).toBe('/data');
    expect(list(f, 'tls-san')).toEqual(['a.example', 'b.example', 'c.example']);
    expect(list(f, 'disable')).toEqual(['traefik']);
    expect(str(f, 'write-kubeconfig-mode')).toBe('644');
  });

  it('records flags it does not act on instead of failing', () => {
    const f = parseFlags(['--flannel-backend', 'none', '--protect-kernel-defaults', '--server', 'https://x:6443'], flagSets.server, noConfig);
    expect(f.recorded).toEqual(['--flannel-backend=none', '--protect-kernel-defaults']);
    expect(str(f, 'server')).toBe('https://x:6443');
  });

  it('takes K3S_* from the environment and lets the command line win', () => {
    const env = { ...noConfig, K3S_TOKEN: 'from-env', K3S_NODE_NAME: 'env-node', K3S_URL: 'https://a:6443' };
    const f = parseFlags(['--node-name', 'cli-node'], flagSets.server, env);
    expect(str(f, 'token')).toBe('from-env');
    expect(str(f, 'node-name')).toBe('cli-node');
    expect(str(f, 'server')).toBe('https://a:6443');
  });

  it('reads /etc/rancher/k3s/config.yaml style files underneath env and flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k3sd-cfg-'));
    try {
      const cfg = join(dir, 'config.yaml');
      writeFileSync(cfg, 'cluster-init: true\ntls-san:\n  - one.example\n  - two.example\nnode-name: from-file\nkube-apiserver-arg: [a=b]\n');
      const f = parseFlags(['--node-name', 'cli'], flagSets.server, { K3S_CONFIG_FILE: cfg });
      expect(bool(f, 'cluster-init')).toBe(true);
      expect(list(f, 'tls-san')).toEqual(['one.example', 'two.example']);
      expect(str(f, 'node-name')).toBe('cli');
      expect(f.recorded).toContain('config:kube-apiserver-arg');
      writeFileSync(cfg, 'a: [unclosed\n');
      expect(() => parseFlags([], flagSets.server, { K3S_CONFIG_FILE: cfg })).toThrow(new RegExp(cfg));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a flag without its value and stray words', () => {
    expect(() => parseFlags(['--token'], flagSets.server, noConfig)).toThrow(/flag needs an argument/);
    expect(() => parseFlags(['oops'], flagSets.server, noConfig)).toThrow(/unexpected argument "oops"/);
  });
});

describe('K3s double tokens and redaction', () => {
  it('parses the K10 node-token and a bare token', () => {
    const hash = 'a'.repeat(64);
    expect(parseToken(formatNodeToken(hash, 's3cret'))).toEqual({ caHash: hash, secret: 's3cret' });
    expect(parseToken('plain-token\n')).toEqual({ secret: 'plain-token' });
  });

  it('never lets a registered secret through a log line or the node-args annotation', () => {
    resetRedactionsForTest();
    redact('hunter22');
    expect(scrub('joining with token hunter22 and K10x::server:hunter22')).toBe('joining with token ******** and K10x::server:********');
    expect(redactedArgs(['server', '--token', 'hunter22', '-t=hunter22', '--token=hunter22', '--cluster-init'])).toEqual([
      'server', '--token', '********', '-t=********', '--token=********', '--cluster-init',
    ]);
  });
});

describe('K3s double kubectl output', () => {
  it('prints NAME STATUS ROLES AGE VERSION like kubectl, NotReady unless Ready is True', () => {
    const node = (name: string, ready: string, roles: string[]) => ({
      metadata: { name, creationTimestamp: new Date(Date.now() - 90_000).toISOString(), labels: Object.fromEntries(roles.map((r) => [`node-role.kubernetes.io/${r}`, 'true'])) },
      status: { conditions: [{ type: 'Ready', status: ready }], nodeInfo: { kubeletVersion: 'v1.32.4+k3s1' } },
    });
    const out = formatNodes([node('node-1', 'True', ['master', 'etcd', 'control-plane']), node('node-2', 'Unknown', [])], undefined);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
    expect(lines[1]).toMatch(/^node-1\s+Ready\s+control-plane,etcd,master\s+90s\s+v1\.32\.4\+k3s1$/);
    expect(lines[2]).toMatch(/^node-2\s+NotReady\s+<none>\s+90s\s+v1\.32\.4\+k3s1$/);
  });
});
