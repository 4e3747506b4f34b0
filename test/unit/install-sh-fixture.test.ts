/**
 * The install.sh fixture's decisions, run for real in a private mount namespace (root): a fake
 * /etc/os-release and /usr/share/selinux, stub chcon and systemctl first on PATH. The read-only
 * /usr/local/bin, download and sha256 path runs under systemd in test/e2e/k3s-double-systemd.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installShFixturePath, resolveInstallSh } from '../../harness/artifacts/installSh.ts';

const FLATCAR = 'NAME="Flatcar Container Linux by Kinvolk"\nID=flatcar\nID_LIKE=coreos\nVERSION_ID=4593.2.0\n';

describe('install.sh fixture', () => {
  let t: string;
  beforeEach(() => {
    t = mkdtempSync(join(tmpdir(), 'install-sh-fixture-'));
    for (const d of ['bin', 'stubs', 'systemd']) mkdirSync(join(t, d));
    const exe = (p: string, body: string) => {
      writeFileSync(p, `#!/bin/sh\n${body}\n`);
      chmodSync(p, 0o755);
    };
    exe(join(t, 'bin', 'k3s'), 'echo k3s');
    exe(join(t, 'stubs', 'systemctl'), `echo "$*" >> ${t}/systemctl.log`);
    exe(join(t, 'stubs', 'chcon'), `echo "$*" >> ${t}/chcon.log; exit \${CHCON_EXIT:-0}`);
  });
  afterEach(() => rmSync(t, { recursive: true, force: true }));

  function run(o: { osRelease: string; selinuxDir: boolean; env?: Record<string, string>; args?: string[]; script?: string }) {
    writeFileSync(join(t, 'os-release'), o.osRelease);
    const setup = [
      `mount --bind ${t}/os-release /etc/os-release`,
      'mount -t tmpfs tmpfs /usr/share',
      o.selinuxDir ? 'mkdir -p /usr/share/selinux' : 'true',
      // The script always cleans /etc/systemd/system/<unit>; keep the host's untouched.
      'mount -t tmpfs tmpfs /etc/systemd/system',
      `exec sh ${o.script ?? installShFixturePath} "$@"`,
    ].join(' && ');
    const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', setup, 'install.sh', ...(o.args ?? [])], {
      encoding: 'utf8',
      env: {
        PATH: `${t}/stubs:/usr/sbin:/usr/bin:/sbin:/bin`,
        INSTALL_K3S_SKIP_DOWNLOAD: 'binary',
        INSTALL_K3S_BIN_DIR: join(t, 'bin'),
        INSTALL_K3S_SYSTEMD_DIR: join(t, 'systemd'),
        INSTALL_K3S_SKIP_START: 'true',
        ...o.env,
      },
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  }

  it('on Flatcar (ID_LIKE=coreos) with SELinux but no k3s-selinux policy: labels k3s, warns to reboot, installs (after PR #14552)', () => {
    const r = run({ osRelease: FLATCAR, selinuxDir: true, env: { K3S_TOKEN: 'tok-123456', INSTALL_K3S_EXEC: 'server --cluster-init' } });
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('[WARN]  Failed to get available versions of k3s-selinux..defaulting to k3s-selinux-1.2-2.coreos.noarch.rpm');
    expect(r.err).toContain('[WARN]  Please reboot your machine to activate the changes and avoid data loss.');
    expect(readFileSync(join(t, 'chcon.log'), 'utf8')).toContain(`-t container_runtime_exec_t ${t}/bin/k3s`);

    const unit = readFileSync(join(t, 'systemd', 'k3s.service'), 'utf8');
    expect(unit).toContain('Type=notify');
    expect(unit).toContain(`EnvironmentFile=-${t}/systemd/k3s.service.env`);
    expect(unit).toContain(`ExecStart=${t}/bin/k3s \\\n    server \\\n\t'--cluster-init'\n`);
    const env = join(t, 'systemd', 'k3s.service.env');
    expect(readFileSync(env, 'utf8')).toContain('K3S_TOKEN=tok-123456');
    expect(statSync(env).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(t, 'systemctl.log'), 'utf8')).toMatch(new RegExp(`enable ${t}/systemd/k3s.service\\ndaemon-reload`));
    for (const s of ['k3s-killall.sh', 'k3s-uninstall.sh']) expect(statSync(join(t, 'bin', s)).mode & 0o111).not.toBe(0);
    expect(execFileSync('readlink', [join(t, 'bin', 'crictl')], { encoding: 'utf8' }).trim()).toBe('k3s');
    expect(r.out).not.toContain('tok-123456');
  });

  it('reproduces PR #13712 on request: Flatcar falls to the el8 branch and aborts on the missing policy', () => {
    const r = run({ osRelease: FLATCAR, selinuxDir: true, env: { LAB_FIXTURE_SELINUX: 'pr13712' } });
    expect(r.code).toBe(1);
    expect(r.err).toContain('[ERROR]  Failed to find the k3s-selinux policy, please install:');
    expect(r.err).toContain('yum install -y https://rpm.rancher.io/k3s/stable/common/centos/8/noarch/k3s-selinux-1.2-2.el8.noarch.rpm');
  });

  it('carries the #13712 mode inside the script when asked for as fixture:pr13712 (the node runs it with only its unit\'s environment)', async () => {
    const resolved = await resolveInstallSh({ kind: 'fixture', mode: 'pr13712' }, { cacheDir: join(t, 'cache') });
    expect(resolved.description).toContain('pr13712 mode');
    expect(resolved.path).not.toBe(installShFixturePath);
    const r = run({ osRelease: FLATCAR, selinuxDir: true, script: resolved.path });
    expect(r.code).toBe(1);
    expect(r.err).toContain('[ERROR]  Failed to find the k3s-selinux policy, please install:');
    // The same file again from the cache, and the plain fixture still takes the fixed branch.
    expect((await resolveInstallSh({ kind: 'fixture', mode: 'pr13712' }, { cacheDir: join(t, 'cache') })).sha256).toBe(resolved.sha256);
    expect(run({ osRelease: FLATCAR, selinuxDir: true }).code).toBe(0);
  });

  it('skips SELinux entirely where /usr/share/selinux does not exist', () => {
    const r = run({ osRelease: FLATCAR, selinuxDir: false });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('[INFO]  Skipping installation of SELinux RPM');
  });

  it('on a plain Debian with SELinux tooling but no policy: fatal, as the real script is', () => {
    const r = run({ osRelease: 'ID=debian\nVERSION_ID="12"\n', selinuxDir: true });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/\[ERROR\]  Failed to find the k3s-selinux policy, please install:\n\s+yum install -y container-selinux/);
  });

  it('defaults to agent when K3S_URL is set, and insists on a token and an https URL', () => {
    let r = run({ osRelease: FLATCAR, selinuxDir: false, env: { K3S_URL: 'https://10.0.0.70:6443' } });
    expect(r.code).toBe(1);
    expect(r.err.trim()).toBe("[ERROR]  Defaulted k3s exec command to 'agent' because K3S_URL is defined, but K3S_TOKEN or K3S_TOKEN_FILE is not defined.");
    r = run({ osRelease: FLATCAR, selinuxDir: false, env: { K3S_URL: 'http://10.0.0.70:6443', K3S_TOKEN: 'x' } });
    expect(r.err.trim()).toBe('[ERROR]  Only https:// URLs are supported for K3S_URL (have http://10.0.0.70:6443)');
    r = run({ osRelease: FLATCAR, selinuxDir: false, env: { K3S_URL: 'https://10.0.0.70:6443', K3S_TOKEN: 'x' } });
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(join(t, 'systemd', 'k3s-agent.service'), 'utf8')).toMatch(/ExecStart=.*k3s \\\n {4}agent\n/);
  });
});
