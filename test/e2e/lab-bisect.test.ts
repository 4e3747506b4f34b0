import { execa } from 'execa';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installShFixturePath } from '../../harness/artifacts/installSh.ts';
import { projectRoot } from '../../harness/paths.ts';
import { footprintOf, leftOf, type Footprint } from './support/runFootprint.ts';

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
// Made only when the test runs (it is skipped without LAB_E2E_LONG, and so is an afterAll inside it).
const root = process.env.LAB_E2E_LONG ? mkdtempSync(join(tmpdir(), 'lab-bisect-e2e-')) : '';
const repo = join(root, 'k3s');
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

const fallback = '[ -d /opt/bin ] && BIN_DIR=/opt/bin';
const git = async (...args: string[]) => (await execa('git', ['-C', repo, ...args])).stdout.trim();
const commits: { hash: string; subject: string }[] = [];

/**
 * `lab bisect` over a git history of install.sh built from the fixture: seven commits, each
 * changing install.sh, the fifth dropping the /opt/bin fallback, so install.sh keeps BIN_DIR at
 * /usr/local/bin and its `mv` fails on the lab OS's read-only /usr. Good = the first commit,
 * bad = the last: N = 7 revisions, at most ⌈log2 7⌉ + 1 = 4 single-node runs. On the 2-core TCG
 * machine: two good runs (≈ 3–3.5 min each, through joined) and two bad ones (≈ 2.5–3 min each,
 * ending at k3s-install.service's failure): ≈ 11–13 min (+ ≈ 2.5 min once to build the lab OS).
 */
describe.skipIf(!process.env.LAB_E2E_LONG)('lab bisect (real runs)', () => {
  beforeAll(async () => {
    await execa('git', ['init', '-q', repo]);
    await git('config', 'user.email', 'lab@example.invalid');
    await git('config', 'user.name', 'lab e2e');
    let script = readFileSync(installShFixturePath, 'utf8');
    const edits: [string, (s: string) => string][] = [
      ['import install.sh', (s) => s],
      ['install.sh: name the default channel', (s) => s.replace('set -e\n', 'set -e\n# default channel: stable\n')],
      ['install.sh: note the supported arches', (s) => s.replace('detect_arch() {', '# amd64 and arm64\ndetect_arch() {')],
      ['install.sh: explain the hash check', (s) => s.replace('download_and_verify() {', '# the binary must match sha256sum-<arch>.txt\ndownload_and_verify() {')],
      ['install.sh: one bin dir is enough', (s) => s.replace(fallback, ': # /usr/local/bin only')],
      ['install.sh: tidy info()', (s) => s.replace("info() { echo '[INFO] '", "info() { echo '[INFO] ' ")],
      ['install.sh: tidy warn()', (s) => s.replace("warn() { echo '[WARN] '", "warn() { echo '[WARN] ' ")],
    ];
    for (const [subject, edit] of edits) {
      const next = edit(script);
      if (commits.length) expect(next, subject).not.toBe(script);
      script = next;
      writeFileSync(join(repo, 'install.sh'), script);
      await git('add', 'install.sh');
      await git('commit', '-q', '-m', subject);
      commits.push({ hash: await git('rev-parse', 'HEAD'), subject });
    }
  });

  it('finds the commit that dropped the /opt/bin fallback in at most ⌈log2 N⌉ + 1 runs, with its cause line', async () => {
    const reports = join(root, 'reports');
    const child = execa(process.execPath, ['--import', tsx, join(projectRoot, 'harness/cli.ts'), 'bisect', '--repo', repo, '--good', commits[0]!.hash, '--bad', 'HEAD', '--reports', reports], { cwd: projectRoot, all: true, reject: false });
    let out = '';
    child.all!.on('data', (d: Buffer) => {
      process.stdout.write(d);
      out += d.toString();
    });
    let footprint: Footprint | undefined;
    let finished = false;
    void child.finally(() => (finished = true));
    while (!finished) {
      footprint = await footprintOf(child.pid!, footprint);
      await new Promise((r) => setTimeout(r, 2000));
    }
    const r = await child;
    expect(r.exitCode, out.slice(-3000)).toBe(0);
    const bad = commits[4]!;
    expect(out).toContain('N = 7 revisions with the good end: at most 4 runs');
    expect(out).toContain(`first bad commit: ${bad.hash} ${bad.subject}`);
    const steps = out.split('\n').filter((l) => /^step \d+\/≈4: /.test(l));
    expect(steps.length).toBeLessThanOrEqual(Math.ceil(Math.log2(7)) + 1);
    expect(steps[0]).toMatch(/^step 1\/≈4: [0-9a-f]{7} import install\.sh \(the good end\) → good /);
    const cause = /^cause: (.+)$/m.exec(out)![1]!;
    console.log(`cause of ${bad.hash.slice(0, 7)}: ${cause}`);
    expect(cause).toMatch(/^node-1 boot \d+: k3s-install\.service /); // boot 2, later after a PXE stall reset

    const [dir] = readdirSync(reports).filter((d) => d.endsWith('-bisect'));
    const record = JSON.parse(readFileSync(join(reports, dir!, 'bisect.json'), 'utf8')) as { runs: number; maxRuns: number; end: { kind: string; hash: string; cause: string }; steps: { verdict: string; report: string | null }[] };
    expect(record.end).toMatchObject({ kind: 'found', hash: bad.hash, cause });
    expect(record.runs).toBe(steps.length);
    expect(record.maxRuns).toBe(4);
    // Every step's run kept its own report, and the bisect's page links each.
    for (const s of record.steps) expect(readFileSync(join(reports, dir!, s.report!), 'utf8')).toContain('<!doctype html>');
    expect(readFileSync(join(reports, dir!, 'report.html'), 'utf8')).toContain('← first bad commit');
    // The runs' labs and the bisect's temp dir (each revision's install.sh) are gone.
    expect(await leftOf(footprint!)).toEqual([]);
  }, 40 * 60_000);
});
