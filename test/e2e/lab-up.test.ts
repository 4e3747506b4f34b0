import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Lab } from '../../harness/lab/lab.ts';
import { labNames, newRunId } from '../../harness/lab/names.ts';
import { listNetns } from '../../harness/lab/netns.ts';
import { runDir } from '../../harness/lab/state.ts';
import { projectRoot } from '../../harness/paths.ts';
import { writeTftpTree } from '../../harness/services/tftpTree.ts';
import { K3S_VERSION } from '../../images/k3s-double/src/version.ts';
import { topologyOf } from './support/pxeFixture.ts';

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const cli = (args: string[]) => execa(process.execPath, ['--import', tsx, join(projectRoot, 'harness/cli.ts'), ...args], { cwd: projectRoot, reject: false });

/** Starts `lab up` and waits (60 s) for the block it prints once the lab serves (it ends with the Ctrl-C line). */
async function startLabUp(args: string[]): Promise<{ child: ReturnType<typeof cli>; out: string; err: () => string }> {
  const child = cli(args);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const deadline = Date.now() + 60_000;
  while (!/^Ctrl-C tears it all down .*\n/m.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`lab ${args.join(' ')} did not say it serves within 60 s: ${out}${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, out, err: () => err };
}

/** Runs a shell command inside the lab's network namespace. */
const inLab = (nsenter: string, cmd: string) => execa('sh', ['-c', `${nsenter} ${cmd}`], { stripFinalNewline: false });
const status = async (nsenter: string, url: string) => (await inLab(nsenter, `curl -s -o /dev/null -w '%{http_code}' '${url}'`)).stdout;

describe('lab up --services-only', () => {
  it('serves every URL its pxelinux configs name, prints the nodes and the run key, and tears down on Ctrl-C', async () => {
    const t0 = Date.now();
    const { child, out, err } = await startLabUp(['up', 'single-node', '--services-only']);
    const upMs = Date.now() - t0;
    const lines = out.trim().split('\n');
    const nsenter = /(nsenter --net=\S+)/.exec(lines[0]!)?.[1];
    const runId = /^lab ([0-9a-f]{8}) up \(single-node, mirror http:\/\/10\.0\.0\.5:8080\); enter it with: nsenter .* bash$/.exec(lines[0]!)?.[1];
    expect(nsenter && runId, out).toBeTruthy();
    expect(out).toMatch(/^ {2}node-1 {2}init +mac 52:54:00:00:00:46 {2}ip 10\.0\.0\.70 {2}pxelinux\.cfg\/0A000046 {2}tap \S+$/m);

    // The run key: a private key file of mode 0600 inside the temp dir named on the last line.
    const keyPath = /ssh key: (\S+) \(user core/.exec(out)?.[1];
    const tempDir = /^Ctrl-C tears it all down \(network, services, (\S+)\)$/m.exec(out)?.[1];
    expect(keyPath && tempDir, out).toBeTruthy();
    expect(keyPath!.startsWith(`${tempDir}/`)).toBe(true);
    expect(statSync(keyPath!).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyPath!, 'utf8')).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
    expect(out).toContain(`ssh -i ${keyPath} core@10.0.0.70`);

    const addrs = await inLab(nsenter!, 'ip -br addr');
    expect(addrs.stdout).toContain('10.0.0.5/24');

    // What a node that PXE-boots gets, fetched the way it fetches it: its pxelinux config over TFTP ...
    const cfg = (await inLab(nsenter!, 'curl -sS tftp://10.0.0.5/pxelinux.cfg/0A000046')).stdout;
    const kernel = /^\s*kernel (\S+)$/m.exec(cfg)?.[1];
    const initrd = /\binitrd=(\S+)/.exec(cfg)?.[1];
    const pxeIgn = /\bignition\.config\.url=(\S+)/.exec(cfg)?.[1];
    expect(kernel && initrd && pxeIgn, cfg).toBeTruthy();
    expect(pxeIgn).toBe('http://10.0.0.5:8080/ignition/node-1-ignite-pxe.ign');
    // ... then over HTTP everything that config and the configs after it name.
    const pxe = JSON.parse((await inLab(nsenter!, `curl -sSf '${pxeIgn}'`)).stdout) as { storage: { files: { path: string; contents: { source: string; verification?: { hash?: string } } }[] } };
    const bootRef = pxe.storage.files.find((f) => f.path === '/opt/ignition.json')!.contents;
    const bootText = (await inLab(nsenter!, `curl -sSf '${bootRef.source}'`)).stdout;
    expect(`sha512-${createHash('sha512').update(bootText).digest('hex')}`).toBe(bootRef.verification?.hash); // the pin matches what is served
    const installSh = /"source":\s*"(http:\/\/10\.0\.0\.5:8080\/[^"]*install\.sh)"/.exec(bootText)?.[1];
    const githubUrl = /GITHUB_URL=(http:\/\/[^\s"\\]+)/.exec(bootText)?.[1];
    const k3sVersion = /INSTALL_K3S_VERSION=([^\s"\\]+)/.exec(bootText)?.[1];
    expect(installSh && githubUrl && k3sVersion, bootText).toBeTruthy();
    const release = kernel!.slice(0, kernel!.lastIndexOf('/'));
    const urls = [
      kernel!,
      initrd!,
      pxeIgn!,
      bootRef.source,
      installSh!,
      `${release}/flatcar_production_image.bin.bz2`,
      `${release}/flatcar_production_image.bin.bz2.sig`,
      `${release}/version.txt`,
      `${githubUrl}/download/${k3sVersion}/k3s`,
      `${githubUrl}/download/${k3sVersion}/sha256sum-amd64.txt`,
    ];
    const codes: Record<string, string> = {};
    for (const url of urls) codes[url] = await status(nsenter!, url);
    expect(codes).toEqual(Object.fromEntries(urls.map((u) => [u, '200'])));

    // The printed key is the one the served configs let log in as core.
    const publicKey = readFileSync(`${keyPath}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
    expect(bootText).toContain(publicKey);
    // The token is in the configs, never in what lab up prints.
    expect(bootText).toContain('lab-single-node-token');
    expect(out + err()).not.toContain('lab-single-node-token');

    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(await listNetns()).not.toContain(labNames(runId!).netns);
    expect(existsSync(runDir(runId!))).toBe(false);
    expect(existsSync(tempDir!)).toBe(false);
    console.log(`lab up (render, lab OS, k3s double, services) ready in ${(upMs / 1000).toFixed(1)} s; ${urls.length} URLs answered 200`);
  });

  it('serves a rendered run directory (--rendered): its TFTP tree and mirror/, plus the lab OS, k3s and install.sh', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-up-rendered-'));
    try {
      mkdirSync(join(dir, 'mirror', 'ignition'), { recursive: true });
      writeFileSync(join(dir, 'mirror', 'ignition', 'node-1-ignite-pxe.ign'), '{"ignition":{"version":"3.4.0"}}');
      writeTftpTree(join(dir, 'tftp'), { entries: [{ ip: '10.0.0.70', entry: { kernelUrl: 'http://x/k', initrdUrl: 'http://x/i', kernelArgs: ['rendered=yes'] } }] });
      const before = readdirSync(dir, { recursive: true }).sort();
      const { child, out, err } = await startLabUp(['up', 'single-node', '--services-only', '--rendered', dir]);
      const nsenter = /(nsenter --net=\S+)/.exec(out)![1]!;
      const ign = await inLab(nsenter, 'curl -sS http://10.0.0.5:8080/ignition/node-1-ignite-pxe.ign');
      expect(ign.stdout).toContain('3.4.0');
      const conf = readFileSync(join(runDir(/^lab ([0-9a-f]{8})/.exec(out)![1]!), 'dnsmasq.conf'), 'utf8');
      expect(conf).toContain(`tftp-root=${join(dir, 'tftp')}`);
      // The lab OS (by version and as current), k3s in GitHub's layout, and install.sh (the fixture: the dir has none).
      const version = /^ {2}flatcar: (\S+) at \/flatcar\/amd64-usr\/\S+\/ and \/flatcar\/amd64-usr\/current\/: /m.exec(out)?.[1];
      expect(version, out).toBeTruthy();
      for (const url of [
        `http://10.0.0.5:8080/flatcar/amd64-usr/current/flatcar_production_pxe.vmlinuz`,
        `http://10.0.0.5:8080/flatcar/amd64-usr/${version}/flatcar_production_pxe_image.cpio.gz`,
        `http://10.0.0.5:8080/flatcar/amd64-usr/current/version.txt`,
        `http://10.0.0.5:8080/k3s/install.sh`,
        `http://10.0.0.5:8080/k3s/releases/download/${K3S_VERSION}/sha256sum-amd64.txt`,
      ]) expect([url, await status(nsenter, url)]).toEqual([url, '200']);
      expect(out).toContain('ssh key: none in the rendered configs (render with `lab render --ssh-key FILE.pub`');
      // A kernel line that points off the lab's mirror is named, on stderr.
      expect(err()).toContain('lab up: pxelinux.cfg/0A000046 names kernel http://x/k, which is not on this lab\'s mirror');
      const tempDir = /^Ctrl-C tears it all down \(network, services, (\S+)\)$/m.exec(out)![1]!;
      child.kill('SIGINT');
      expect((await child).exitCode).toBe(130);
      expect(existsSync(tempDir)).toBe(false);
      expect(readdirSync(dir, { recursive: true }).sort()).toEqual(before); // the person's dir is left as it was
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses without --services-only, in one line, exit 2', async () => {
    const r = await cli(['up', 'single-node']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^lab: .*--services-only/);
  });

  it('a lab that fails half-way up leaves nothing behind', async () => {
    const runId = newRunId();
    await expect(
      Lab.up({ runId, topology: topologyOf(1), mirrorMounts: [{ urlPath: 'no-slash', dir: '/nonexistent' }] }),
    ).rejects.toThrow(/mirror/);
    expect(await listNetns()).not.toContain(labNames(runId).netns);
    expect(existsSync(runDir(runId))).toBe(false);
  });
});
