import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listNetns } from '../../harness/lab/netns.ts';
import { projectRoot } from '../../harness/paths.ts';
import type { RunResult } from '../../harness/report/result.ts';

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * The reproducer end to end, through the command a person types: install.sh in k3s PR #13712's
 * state on one PXE-installed node. The run stops at k3s-install.service's failure, names it first,
 * exits as a reproduced expected failure would, keeps the failed node up (--keep-on-failure) so
 * a person can log in, and leaves nothing behind after Ctrl-C. With --reuse-install: the failure
 * is in the boot stage, so an install an earlier run kept (in CI, the main job's) saves the PXE stage.
 */
describe('scenario install-sh-regression (--keep-on-failure)', () => {
  it('stops at the unit failure, names the cause first, keeps the node up for SSH, and Ctrl-C leaves nothing', async () => {
    const child = execa(process.execPath, ['--import', tsx, join(projectRoot, 'harness/cli.ts'), 'scenario', 'install-sh-regression', '--keep-on-failure', '--reuse-install'], { cwd: projectRoot, reject: false, all: true });
    let out = '';
    const kept = new Promise<void>((resolve, reject) => {
      child.all!.on('data', (d: Buffer) => {
        process.stdout.write(d);
        out += d.toString();
        if (/^ {2}kubectl: /m.test(out)) resolve();
      });
      void child.then((r) => reject(new Error(`the run ended (exit ${r.exitCode}) without keeping its lab up:\n${out.slice(-3000)}`)));
    });
    await kept;

    // The verdict line comes first, and names node, boot, unit and install.sh's own words.
    const verdictLine = out.split('\n').find((l) => l.startsWith('install-sh-regression: '));
    const reportDir = /^report: (\S+)\/report\.html$/m.exec(out)![1]!;
    const result = JSON.parse(readFileSync(join(projectRoot, reportDir, 'result.json'), 'utf8')) as RunResult;
    // The first disk boot: boot 2, or later when the harness power-cycled a stalled PXE boot first,
    // or boot 1 when node-1 started from an install an earlier run kept (the main job's, in CI).
    const diskBoot = result.nodes[0]!.marks.find((m) => m.phase === 'rebooted')!.boot!;
    console.log(`node-1's first disk boot: boot ${diskBoot} (${result.nodes[0]!.boots[0]!.how})`);
    expect(verdictLine).toBe(`install-sh-regression: expected failure reproduced: node-1 boot ${diskBoot}: k3s-install.service failed: [ERROR]  Failed to find the k3s-selinux policy, please install:`);
    expect(result.cause).toMatchObject({ node: 'node-1', boot: diskBoot, unit: 'k3s-install.service', source: 'journal' });
    expect(result.cause!.lines[0]).toContain('Failed to find the k3s-selinux policy');
    expect(result.verdict).toMatchObject({ kind: 'reproduced', ok: true });
    // The run ended within seconds of the failure, not at a phase timeout.
    const afterCause = result.durationMs - result.cause!.offsetMs;
    console.log(`verdict ${(afterCause / 1000).toFixed(1)} s after the unit failed (run ${(result.durationMs / 1000).toFixed(0)} s)`);
    expect(afterCause).toBeLessThan(30_000 * result.timeoutScale);
    const junit = readFileSync(join(projectRoot, reportDir, 'junit.xml'), 'utf8');
    expect(junit).toMatch(new RegExp(`name="verdict"[^>]*><system-out>expected failure reproduced: node-1 boot ${diskBoot}: k3s-install.service failed: \\[ERROR\\]  Failed to find the k3s-selinux policy`));

    // Into the failed node with the printed command: the unit is there, failed, as the verdict says.
    const sshLine = /^ {2}ssh to node-1: {2}(.+)$/m.exec(out)![1]!;
    const onNode = await execa('bash', ['-c', `${sshLine} -o BatchMode=yes -o ConnectTimeout=60 'systemctl is-failed k3s-install.service; hostname; sudo -n true'`], { reject: false, timeout: 180_000 });
    expect(onNode.stdout.split('\n')).toEqual(['failed', 'node-1']);
    // The lab OS resolves its own hostname, as Flatcar does: sudo says nothing.
    expect(onNode.stderr).not.toContain('unable to resolve host');

    const nsenter = /^ {2}shell in the lab's network: {2}(nsenter \S+)/m.exec(out)![1]!;
    const netns = /--net=\/run\/netns\/(\S+)/.exec(nsenter)?.[1];
    const runDir = dirname(/-i (\S+id_ed25519)/.exec(sshLine)![1]!);
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    if (netns) expect(await listNetns()).not.toContain(netns);
    expect(existsSync(runDir)).toBe(false);
    const left = await execa('pgrep', ['-af', `qemu-system-x86_64.*${runDir}`], { reject: false });
    expect(left.stdout).toBe('');
  }, 30 * 60_000);
});
