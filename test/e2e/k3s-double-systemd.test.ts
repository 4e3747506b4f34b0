/**
 * Under a real systemd (systemd-nspawn booting the host's /usr read-only, so /usr/local/bin is
 * read-only as on Flatcar): the install.sh fixture, fetched from a mirror in GitHub's release layout,
 * installs the K3s double to /opt/bin after checking its sha256, writes a Type=notify k3s.service and
 * starts it — `systemctl` returns only once the double has sent READY=1. A tampered checksum fails
 * with one clear line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { resolveK3s } from '../../harness/artifacts/k3s.ts';
import { resolveInstallSh } from '../../harness/artifacts/installSh.ts';
import { parseInstallShSource } from '../../harness/artifacts/sourceSpec.ts';
import { writeK3sMirror, writeK3sReleaseDir } from '../../harness/artifacts/k3sMirror.ts';
import type { ResolvedArtifact } from '../../harness/artifacts/resolved.ts';
import { bootContainer, type Container } from './support/k3sNspawn.ts';
import { guardNamespaces, killNamespace, reapStaleNamespaces, runNamespacePrefix } from './support/k3sNetns.ts';
import { waitFor } from './support/k3sDoubleNode.ts';

const TOKEN = 'lab-secret-notify-7Hq2';
// Any install.sh runs here the same way: LAB_TEST_INSTALL_SH=<fixture|ref|url|path> (LAB_TEST_ONLINE=1 to fetch).
const INSTALL_SH = process.env.LAB_TEST_INSTALL_SH ?? 'fixture';
const NODE_IP = '10.78.0.70';
const MIRROR = 'http://10.78.0.5:8080';
const TAMPERED = 'v1.32.4+k3s9';

describe(`K3s double under systemd, installed by install.sh (${INSTALL_SH})`, () => {
  let root: string;
  let ns: string;
  let k3s: ResolvedArtifact;
  let server: ChildProcess | undefined;
  let box: Container | undefined;
  let unguard: (() => void) | undefined;
  const sh = (script: string, env: Record<string, string> = {}) => box!.exec(['sh', '-c', script], { env });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'k3s-double-systemd-'));
    reapStaleNamespaces();
    ns = `${runNamespacePrefix('s')}-node`;
    unguard = guardNamespaces([ns], () => rmSync(root, { recursive: true, force: true }));
    k3s = await resolveK3s({ kind: 'double' }, { cacheDir: join(root, 'cache') });
    const installSh = await resolveInstallSh(parseInstallShSource(INSTALL_SH), { online: process.env.LAB_TEST_ONLINE === '1' });
    console.log(`install.sh: ${installSh.description}, sha256 ${installSh.sha256}`);
    writeK3sMirror(join(root, 'mirror'), k3s, installSh);
    // The same binary under another version whose checksum file names a different hash.
    const bad = writeK3sReleaseDir(join(root, 'mirror', 'k3s', 'releases', 'download', TAMPERED), { ...k3s, path: k3s.path });
    writeFileSync(join(bad, 'sha256sum-amd64.txt'), `${'ab'.repeat(32)}  k3s\n`);
    writeFileSync(join(root, 'os-release'), 'NAME="Flatcar Container Linux by Kinvolk"\nID=flatcar\nID_LIKE=coreos\nVERSION_ID=4593.2.0\n');

    await execa('ip', ['netns', 'add', ns]);
    await execa('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    await execa('ip', ['-n', ns, 'link', 'add', 'br0', 'type', 'bridge']);
    await execa('ip', ['-n', ns, 'addr', 'add', `${NODE_IP}/24`, 'dev', 'br0']);
    await execa('ip', ['-n', ns, 'addr', 'add', '10.78.0.5/24', 'dev', 'br0']);
    await execa('ip', ['-n', ns, 'link', 'set', 'br0', 'up']);
    // A router, as a real LAN has: without a default route k3s's server cannot pick its address.
    await execa('ip', ['-n', ns, 'route', 'add', 'default', 'via', '10.78.0.1', 'dev', 'br0', 'onlink']);

    const tsx = resolve(import.meta.dirname, '../../node_modules/.bin/tsx');
    server = spawn('ip', ['netns', 'exec', ns, tsx, resolve(import.meta.dirname, 'support/k3sStaticServer.ts'), join(root, 'mirror'), '10.78.0.5', '8080']);
    let out = '';
    server.stdout!.on('data', (c) => (out += c));
    await waitFor('the test mirror to listen', 30_000, async () => (out.includes('listening') ? true : undefined), 100);

    box = await bootContainer({ name: ns, netns: ns, consoleLog: join(root, 'console.log'), bindRo: [[join(root, 'os-release'), '/etc/os-release']] });
  });

  afterAll(async () => {
    await box?.stop();
    server?.kill('SIGKILL');
    unguard?.();
    if (ns) {
      killNamespace(ns);
      await execa('ip', ['netns', 'del', ns], { reject: false });
    }
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('installs to /opt/bin (read-only /usr/local/bin), checks the sha256, and systemctl returns once READY=1 was sent', async () => {
    expect((await sh('touch /usr/local/bin/k3s-ro-test')).stderr).toMatch(/Read-only file system/);
    await sh('mkdir -p /opt/bin');

    const started = Date.now();
    const install = await sh(`curl -sfL ${MIRROR}/k3s/install.sh | sh -`, {
      INSTALL_K3S_VERSION: k3s.version,
      GITHUB_URL: `${MIRROR}/k3s/releases`,
      K3S_TOKEN: TOKEN,
      K3S_KUBECONFIG_MODE: '644',
      INSTALL_K3S_EXEC: 'server --cluster-init',
    });
    const installMs = Date.now() - started;
    console.log(`install.sh fixture + systemctl restart k3s took ${installMs} ms`);
    expect(install.exitCode, install.stderr).toBe(0);
    expect(install.stdout).toContain(`Downloading hash ${MIRROR}/k3s/releases/download/${k3s.version}/sha256sum-amd64.txt`);
    expect(install.stdout).toContain('Verifying binary download');
    expect(install.stdout).toContain('Installing k3s to /opt/bin/k3s');
    expect(install.stdout).toContain('systemd: Starting k3s');
    expect(`${install.stdout}${install.stderr}`).not.toContain(TOKEN);

    // Right after systemctl returned: active, not "activating".
    expect((await sh('systemctl is-active k3s')).stdout.trim()).toBe('active');
    const show = (await sh('systemctl show k3s -p Type -p ExecMainStartTimestampMonotonic -p ActiveEnterTimestampMonotonic')).stdout;
    const prop = (k: string) => new RegExp(`(?:^|\\n)${k}=(.*)`).exec(show)?.[1];
    expect(prop('Type')).toBe('notify');
    const waitedUs = Number(prop('ActiveEnterTimestampMonotonic')) - Number(prop('ExecMainStartTimestampMonotonic'));
    console.log(`k3s.service: ${waitedUs / 1000} ms from exec to active (READY=1)`);

    expect((await sh(`sha256sum /opt/bin/k3s`)).stdout.split(' ')[0]).toBe(k3s.sha256);
    expect((await sh('test -e /usr/local/bin/k3s')).exitCode).toBe(1);
    // K3S_* reached the double through install.sh's env file.
    expect((await sh('stat -c %a /etc/rancher/k3s/k3s.yaml')).stdout.trim()).toBe('644');
    expect((await sh('stat -c %a /etc/systemd/system/k3s.service.env')).stdout.trim()).toBe('600');
    const nodes = await sh('k3s kubectl get nodes');
    expect(nodes.stdout, nodes.stderr).toMatch(/\n\S+\s+Ready\s+control-plane,etcd,master\s/);
    // install.sh links kubectl/crictl/ctr to k3s unless the command is already on PATH (the container shares the host's /usr).
    for (const cmd of ['kubectl', 'crictl', 'ctr']) {
      const onHost = existsSync(`/usr/bin/${cmd}`) || existsSync(`/usr/sbin/${cmd}`);
      expect((await sh(`readlink /opt/bin/${cmd}`)).stdout.trim(), cmd).toBe(onHost ? '' : 'k3s');
    }
    expect((await sh('ln -sf /opt/bin/k3s /run/crictl && /run/crictl --version')).stdout).toMatch(/flatcar-k3s-lab double/);
    expect((await sh('ln -sf /opt/bin/k3s /run/kubectl && /run/kubectl get nodes -o name')).stdout.trim()).toMatch(/^node\/\S+$/);
    if (existsSync('/usr/bin/kubectl')) {
      // A real kubectl, where the machine has one, reads the same k3s.yaml (server-side Table printing).
      const real = await sh('/usr/bin/kubectl --kubeconfig /etc/rancher/k3s/k3s.yaml get nodes --no-headers');
      expect(real.stdout, real.stderr).toMatch(/^\S+\s+Ready\s+control-plane,etcd,master\s/);
    }
    const journal = (await sh('journalctl -u k3s --no-pager -o cat')).stdout;
    expect(journal).toContain('Notified systemd: READY=1');
    // Only the main process notifies: systemd logs any other sender under the unit.
    expect(journal).not.toMatch(/reception only permitted for main PID/);
    expect(journal).not.toContain(TOKEN);
  });

  it('without READY=1 the unit stays "activating" although the double serves: systemd really waits for it', async () => {
    await sh('mkdir -p /run/systemd/system/k3s.service.d && printf "[Service]\\nEnvironment=K3S_DOUBLE_SYSTEMD_NOTIFY=/bin/false\\n" > /run/systemd/system/k3s.service.d/no-ready.conf && systemctl daemon-reload');
    try {
      expect((await sh('systemctl restart --no-block k3s')).exitCode).toBe(0);
      await waitFor('the double to fail its notification', 60_000, async () => {
        const j = (await sh('journalctl -u k3s --no-pager -o cat')).stdout;
        return /Failed to notify systemd of readiness via \/bin\/false/.test(j) ? true : undefined;
      });
      expect((await sh('k3s kubectl get nodes')).stdout).toMatch(/\sReady\s/);
      expect((await sh('systemctl is-active k3s')).stdout.trim()).toBe('activating');
    } finally {
      await sh('rm -rf /run/systemd/system/k3s.service.d && systemctl daemon-reload');
    }
    expect((await sh('systemctl restart k3s')).exitCode).toBe(0);
    expect((await sh('systemctl is-active k3s')).stdout.trim()).toBe('active');
  });

  it('fails with one clear line when the binary does not match sha256sum-amd64.txt, leaving the installed k3s alone', async () => {
    const r = await sh(`curl -sfL ${MIRROR}/k3s/install.sh | sh -`, {
      INSTALL_K3S_VERSION: TAMPERED,
      GITHUB_URL: `${MIRROR}/k3s/releases`,
      K3S_TOKEN: TOKEN,
      INSTALL_K3S_EXEC: 'server --cluster-init',
    });
    expect(r.exitCode).toBe(1);
    // stderr holds the /usr/local/bin write probe's own complaint (as with the real script on Flatcar), then the one error.
    const errLines = r.stderr.split('\n').filter((l) => l.trim() && !/k3s-ro-test.*Read-only file system/.test(l));
    expect(errLines).toEqual([`[ERROR]  Download sha256 does not match ${'ab'.repeat(32)}, got ${k3s.sha256}`]);
    expect((await sh(`sha256sum /opt/bin/k3s`)).stdout.split(' ')[0]).toBe(k3s.sha256);
    expect((await sh('systemctl is-active k3s')).stdout.trim()).toBe('active');
  });

  it('restarts under systemd without re-initializing the cluster', async () => {
    expect((await sh('systemctl restart k3s')).exitCode).toBe(0);
    expect((await sh('systemctl is-active k3s')).stdout.trim()).toBe('active');
    const journal = (await sh('journalctl -u k3s --no-pager -o cat')).stdout;
    expect(journal).toMatch(/Found existing etcd data .*resuming this member/);
    expect(journal.match(/Initializing a new etcd cluster/g)).toHaveLength(1);
    expect(journal.match(/resuming this member/g)!.length).toBeGreaterThanOrEqual(2);
    expect((await sh('k3s kubectl get nodes')).stdout).toMatch(/\sReady\s/);
  });

  it('the uninstall script stops k3s and its etcd and removes what install.sh wrote', async () => {
    const r = await sh('/opt/bin/k3s-uninstall.sh');
    expect(r.exitCode, r.stderr).toBe(0);
    expect((await sh('pgrep -x etcd')).exitCode).toBe(1);
    for (const f of ['/opt/bin/k3s', '/opt/bin/kubectl', '/etc/systemd/system/k3s.service', '/etc/systemd/system/k3s.service.env', '/var/lib/rancher/k3s']) {
      expect((await sh(`test -e ${f}`)).exitCode, f).toBe(1);
    }
  });
});
