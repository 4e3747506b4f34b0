/** The built double as a user meets it at the shell, before any server starts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildK3sDouble } from '../../images/k3s-double/build.ts';

describe('K3s double executable', () => {
  let dir: string;
  let bin: string;
  const run = (exe: string, args: string[], env: Record<string, string> = {}) => {
    const r = spawnSync(exe, args, { encoding: 'utf8', env: { PATH: process.env.PATH!, K3S_CONFIG_FILE: join(dir, 'none.yaml'), ...env }, timeout: 20_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'k3sd-bin-'));
    bin = await buildK3sDouble(join(dir, 'k3s'));
    for (const l of ['kubectl', 'crictl', 'ctr']) symlinkSync('k3s', join(dir, l));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says it is the lab double and which k3s it stands for', () => {
    const r = run(bin, ['--version']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^k3s version v\d+\.\d+\.\d+\+k3s\d+ \(flatcar-k3s-lab double/);
    expect(r.out).toMatch(/not k3s/);
  });

  it('answers help without starting anything, and refuses unknown commands', () => {
    expect(run(bin, ['server', '--help'])).toMatchObject({ code: 0 });
    const r = run(bin, ['frob']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^Incorrect Usage\. No command "frob"/);
  });

  it('is kubectl/crictl/ctr through links', () => {
    const k = run(join(dir, 'kubectl'), ['get', 'nodes'], { KUBECONFIG: join(dir, 'missing.yaml') });
    expect(k.code).toBe(1);
    expect(k.err.trim()).toMatch(/^time="[^"]+" level=fatal msg="cannot read kubeconfig .*missing\.yaml/);
    expect(run(join(dir, 'crictl'), ['--version']).out).toMatch(/^crictl version .*lab double/);
    const c = run(join(dir, 'ctr'), ['images', 'ls']);
    expect(c.code).toBe(1);
    expect(c.err).toMatch(/runs no containers/);
  });

  it('fails a join with a missing token file in one fatal line, before touching the network', () => {
    const r = run(bin, ['server', '--server', 'https://127.0.0.1:9', '--token-file', join(dir, 'no-token'), '-d', join(dir, 'data')]);
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toEqual([expect.stringMatching(/level=fatal msg="token file .*no-token does not exist"/)]);
  });

  it('an agent whose server is not up yet waits for it, saying so, instead of exiting (as k3s does)', () => {
    // Port 9 on loopback: nothing listens. spawnSync's timeout ends the agent after two tries.
    const r = spawnSync(bin, ['agent', '--server', 'https://127.0.0.1:9', '--token', 'K10abc::server:secret', '--node-ip', '10.0.0.71'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH!, K3S_CONFIG_FILE: join(dir, 'none.yaml'), LAB_DOUBLE_NODE_PASSWORD_FILE: join(dir, 'node-password') },
      timeout: 7_000,
    });
    expect(r.signal, `the agent exited by itself: ${r.stderr}`).toBe('SIGTERM');
    const waits = (r.stderr + r.stdout).split('\n').filter((l) => /level=info msg="Waiting to retrieve agent configuration; server is not ready: failed to get CA certs from https:\/\/127\.0\.0\.1:9\/cacerts: .*ECONNREFUSED/.test(l));
    expect(waits.length).toBeGreaterThanOrEqual(2);
    expect(r.stderr).not.toMatch(/level=fatal/);
  });
});
