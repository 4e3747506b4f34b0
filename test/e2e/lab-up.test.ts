import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { topologyOf } from './support/pxeFixture.ts';

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const cli = (args: string[]) => execa(process.execPath, ['--import', tsx, join(projectRoot, 'harness/cli.ts'), ...args], { cwd: projectRoot, reject: false });

/** Starts `lab up` and waits (30 s) for the one line it prints once the lab serves. */
async function startLabUp(args: string[]): Promise<{ child: ReturnType<typeof cli>; out: string }> {
  const child = cli(args);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const deadline = Date.now() + 30_000;
  while (!out.includes('\n')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no line from lab ${args.join(' ')} within 30 s: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, out };
}

describe('lab up --services-only', () => {
  it('prints one line with a working nsenter command and tears down on Ctrl-C', async () => {
    const { child, out } = await startLabUp(['up', 'single-node', '--services-only']);
    const line = out.trim();
    expect(line.split('\n')).toHaveLength(1);
    const nsenter = /(nsenter --net=\S+)/.exec(line)?.[1];
    const runId = /^lab ([0-9a-f]{8}) up/.exec(line)?.[1];
    expect(nsenter && runId, line).toBeTruthy();

    const addrs = await execa('sh', ['-c', `${nsenter} ip -br addr`]);
    expect(addrs.stdout).toContain('10.0.0.5/24');
    const mirror = await execa('sh', ['-c', `${nsenter} curl -s -o /dev/null -w '%{http_code}' http://10.0.0.5:8080/ignition/node-1-ignite-pxe.ign`]);
    expect(mirror.stdout).toBe('404'); // served by the lab's mirror; nothing rendered yet
    const cfg = readFileSync(join(runDir(runId!), 'tftp', 'pxelinux.cfg', '0A000046'), 'utf8');
    expect(cfg).toContain('ignition.config.url=http://10.0.0.5:8080/ignition/node-1-ignite-pxe.ign');

    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(await listNetns()).not.toContain(labNames(runId!).netns);
    expect(existsSync(runDir(runId!))).toBe(false);
  });

  it('serves a rendered run directory (--rendered): its TFTP tree and mirror/', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-up-rendered-'));
    try {
      mkdirSync(join(dir, 'mirror', 'ignition'), { recursive: true });
      writeFileSync(join(dir, 'mirror', 'ignition', 'node-1-ignite-pxe.ign'), '{"ignition":{"version":"3.4.0"}}');
      writeTftpTree(join(dir, 'tftp'), { entries: [{ ip: '10.0.0.70', entry: { kernelUrl: 'http://x/k', initrdUrl: 'http://x/i', kernelArgs: ['rendered=yes'] } }] });
      const { child, out } = await startLabUp(['up', 'single-node', '--services-only', '--rendered', dir]);
      const nsenter = /(nsenter --net=\S+)/.exec(out)![1]!;
      const ign = await execa('sh', ['-c', `${nsenter} curl -sS http://10.0.0.5:8080/ignition/node-1-ignite-pxe.ign`]);
      expect(ign.stdout).toContain('3.4.0');
      const conf = readFileSync(join(runDir(/^lab ([0-9a-f]{8})/.exec(out)![1]!), 'dnsmasq.conf'), 'utf8');
      expect(conf).toContain(`tftp-root=${join(dir, 'tftp')}`);
      child.kill('SIGINT');
      expect((await child).exitCode).toBe(130);
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
