import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lab, refusalLine } from './support/labCli.ts';
import { installShFixturePath } from '../../harness/artifacts/installSh.ts';
import { BisectRun } from '../../harness/bisect/bisectRun.ts';
import { Git } from '../../harness/bisect/git.ts';
import { planBisect, type Revision } from '../../harness/bisect/revisions.ts';
import { scenarioJudge } from '../../harness/bisect/scenarioJudge.ts';
import { maxRuns, searchFirstBad, type Judge } from '../../harness/bisect/search.ts';
import { reportDirName } from '../../harness/report/reportDir.ts';
import { sampleResult } from './report-fixture.ts';

const root = mkdtempSync(join(tmpdir(), 'lab-bisect-'));
const repo = join(root, 'k3s');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const fallback = '[ -d /opt/bin ] && BIN_DIR=/opt/bin';
const git = async (...args: string[]) => (await execa('git', ['-C', repo, ...args])).stdout.trim();

/** The commits the test plants, oldest first; the 4th drops install.sh's /opt/bin fallback; the 5th leaves install.sh alone. */
const hashes: string[] = [];
beforeAll(async () => {
  mkdirSync(repo, { recursive: true });
  await execa('git', ['init', '-q', repo]);
  await git('config', 'user.email', 'lab@example.invalid');
  await git('config', 'user.name', 'lab test');
  let script = readFileSync(installShFixturePath, 'utf8');
  const commit = async (subject: string, change: () => void) => {
    change();
    await git('add', '-A');
    await git('commit', '-q', '-m', subject);
    hashes.push(await git('rev-parse', 'HEAD'));
  };
  const write = () => writeFileSync(join(repo, 'install.sh'), script);
  await commit('import install.sh', write);
  await commit('install.sh: say which channel', () => ((script = script.replace('set -e\n', 'set -e\n# channel: stable\n')), write()));
  await commit('install.sh: comment the arch check', () => ((script = script.replace('detect_arch() {', '# amd64 and arm64 only\ndetect_arch() {')), write()));
  await commit('install.sh: simplify BIN_DIR', () => ((script = script.replace(fallback, ': # one bin dir is enough')), write()));
  await commit('docs: README', () => writeFileSync(join(repo, 'README.md'), 'k3s\n'));
  await commit('install.sh: tidy info()', () => ((script = script.replace("info() { echo '[INFO] '", "info() { echo '[INFO] ' ")), write()));
  await commit('install.sh: tidy warn()', () => ((script = script.replace("warn() { echo '[WARN] '", "warn() { echo '[WARN] ' ")), write()));
});

/** Good when the script still falls back to /opt/bin: what the real run shows on the lab's read-only /usr. */
function contentJudge(g: Git, runs: Revision[]): Judge {
  return async (rev) => {
    runs.push(rev);
    const text = (await g.show(rev.hash, 'install.sh')).toString();
    return text.includes(fallback) ? { good: true, line: 'PASS' } : { good: false, line: 'node-1 boot 2: k3s-install.service failed: mv: cannot create regular file \'/usr/local/bin/k3s\': Read-only file system' };
  };
}

describe('lab bisect', () => {
  it('searches the commits on the ancestry path that changed the file, the good end first', async () => {
    const g = await Git.open(repo);
    const plan = await planBisect(g, 'install.sh', hashes[0]!, 'HEAD');
    expect(plan.onPath).toBe(6);
    // The README commit ran the same install.sh as the one before it: not a candidate.
    expect(plan.revisions.map((r) => r.subject)).toEqual(['import install.sh', 'install.sh: say which channel', 'install.sh: comment the arch check', 'install.sh: simplify BIN_DIR', 'install.sh: tidy info()', 'install.sh: tidy warn()']);
    expect(plan.bad.hash).toBe(hashes[6]);
    expect(plan.merges).toBe(0);
  });

  it('finds the planted bad commit over the real repo in at most ⌈log2 N⌉ + 1 runs', async () => {
    const g = await Git.open(repo);
    const plan = await planBisect(g, 'install.sh', hashes[0]!, hashes[6]!);
    const runs: Revision[] = [];
    const outcome = await searchFirstBad(plan.revisions, contentJudge(g, runs));
    expect(outcome.kind).toBe('found');
    if (outcome.kind !== 'found') return;
    expect(outcome.first.hash).toBe(hashes[3]);
    expect(outcome.first.subject).toBe('install.sh: simplify BIN_DIR');
    expect(outcome.verdict.line).toContain('Read-only file system');
    expect(runs[0]!.hash).toBe(hashes[0]);
    expect(runs.length).toBeLessThanOrEqual(Math.ceil(Math.log2(plan.revisions.length)) + 1);
    expect(runs.length).toBe(outcome.steps.length);
  });

  it('finds any first bad revision, and says when the bad end passes, in at most ⌈log2 N⌉ + 1 runs for every N', async () => {
    for (let n = 2; n <= 33; n++) {
      const revs: Revision[] = Array.from({ length: n }, (_, i) => ({ hash: `h${i}`, short: `h${i}`, subject: `commit ${i}`, blob: `b${i}` }));
      for (let k = 1; k <= n; k++) {
        let runs = 0;
        const outcome = await searchFirstBad(revs, async (r) => {
          runs++;
          const i = Number(r.hash.slice(1));
          return { good: i < k, line: `run of ${i}` };
        });
        expect(runs, `N=${n} k=${k}`).toBeLessThanOrEqual(Math.ceil(Math.log2(n)) + 1);
        expect(runs).toBeLessThanOrEqual(maxRuns(n));
        if (k === n) expect(outcome.kind, `N=${n}`).toBe('bad-passes');
        else {
          expect(outcome).toMatchObject({ kind: 'found', first: { hash: `h${k}` }, verdict: { line: `run of ${k}` } });
        }
      }
    }
  });

  it('stops at once when the good revision fails: nothing is bisected', async () => {
    const revs: Revision[] = ['a', 'b', 'c'].map((h) => ({ hash: h, short: h, subject: h, blob: h }));
    let runs = 0;
    const outcome = await searchFirstBad(revs, async () => (runs++, { good: false, line: 'node-1 boot 2: k3s-install.service failed' }));
    expect(outcome.kind).toBe('good-fails');
    expect(runs).toBe(1);
  });

  it('prints a line per step, then the first bad commit and its cause, and keeps a report of the steps', async () => {
    const g = await Git.open(repo);
    const lines: string[] = [];
    const reportDir = join(root, 'reports', reportDirName('bisect', new Date()));
    const bisect = new BisectRun({ git: g, path: 'install.sh', good: hashes[0]!, bad: 'HEAD', scenario: 'single-node', passThrough: [], reportDir, out: (l) => lines.push(l) });
    await bisect.plan();
    const runs: Revision[] = [];
    const judge = contentJudge(g, runs);
    expect(await bisect.run(async (r, step) => ({ ...(await judge(r, step)), reportPath: join(reportDir, 'runs', `step-${step}`) }))).toBe(0);
    expect(lines[0]).toBe('bisect: install.sh from good ' + hashes[0]!.slice(0, 7) + ' to bad ' + hashes[6]!.slice(0, 7) + ': 6 commits on the ancestry path, 5 changed install.sh; N = 6 revisions with the good end: at most 4 runs (⌈log2 6⌉ + 1) of single-node');
    expect(lines[1]).toBe(`step 1/≈4: ${hashes[0]!.slice(0, 7)} import install.sh (the good end) → good (PASS)`);
    const bad = lines.find((l) => l.includes('→ bad'))!;
    expect(bad).toMatch(/^step \d\/≈4: [0-9a-f]{7} install\.sh: .+ → bad \(node-1 boot 2: k3s-install\.service failed: mv: cannot create regular file '\/usr\/local\/bin\/k3s': Read-only file system\)$/);
    expect(lines).toContain(`first bad commit: ${hashes[3]} install.sh: simplify BIN_DIR`);
    expect(lines).toContain("cause: node-1 boot 2: k3s-install.service failed: mv: cannot create regular file '/usr/local/bin/k3s': Read-only file system");
    const record = JSON.parse(readFileSync(join(reportDir, 'bisect.json'), 'utf8')) as { runs: number; maxRuns: number; end: { kind: string; hash: string }; steps: { verdict: string; report: string }[] };
    expect(record.end).toMatchObject({ kind: 'found', hash: hashes[3] });
    expect(record.runs).toBe(runs.length);
    expect(record.runs).toBeLessThanOrEqual(record.maxRuns);
    expect(record.steps[0]).toMatchObject({ verdict: 'good', report: 'runs/step-1/report.html' });
    const html = readFileSync(join(reportDir, 'report.html'), 'utf8');
    expect(html).toContain('← first bad commit');
    expect(html).toContain('href="runs/step-1/report.html"');
  });

  it('runs each step as lab scenario with that revision\'s file, passing scenario options through', async () => {
    const g = await Git.open(repo);
    const temp = join(root, 'tmp');
    mkdirSync(temp, { recursive: true });
    const calls: string[][] = [];
    const judge = scenarioJudge({
      git: g,
      path: 'install.sh',
      scenario: 'single-node',
      passThrough: ['--k3s-version', 'v1.32.4+k3s1'],
      tempDir: temp,
      runsDir: join(root, 'judge-runs'),
      runChild: async (args, log) => {
        calls.push(args);
        const script = args[args.indexOf('--install-sh') + 1]!;
        const good = readFileSync(script, 'utf8').includes(fallback);
        const reports = args[args.indexOf('--reports') + 1]!;
        const dir = join(reports, '20261201-020000-single-node');
        mkdirSync(dir, { recursive: true });
        writeFileSync(log, 'single-node: …\n');
        writeFileSync(join(dir, 'result.json'), JSON.stringify(sampleResult({ scenario: 'single-node', verdict: { kind: good ? 'passed' : 'failed', ok: good, summary: good ? 'PASS' : 'FAIL', reasons: [] } })));
        return { exitCode: good ? 0 : 1, signal: null };
      },
    });
    const [first] = (await planBisect(g, 'install.sh', hashes[0]!, hashes[3]!)).revisions;
    expect(await judge(first!, 1)).toMatchObject({ good: true, line: 'PASS' });
    expect(calls[0]!.slice(0, 3)).toEqual(['scenario', 'single-node', '--install-sh']);
    expect(calls[0]!.slice(4)).toEqual(['--k3s-version', 'v1.32.4+k3s1', '--reports', join(root, 'judge-runs', `step-1-${hashes[0]!.slice(0, 7)}`)]);
    expect(readFileSync(calls[0]![3]!, 'utf8')).toBe(readFileSync(installShFixturePath, 'utf8'));
    const refused = scenarioJudge({ git: g, path: 'install.sh', scenario: 'single-node', passThrough: [], tempDir: temp, runsDir: join(root, 'refused'), runChild: async (_a, log) => (mkdirSync(join(log, '..'), { recursive: true }), writeFileSync(log, 'lab: LAB_ACCEL=x: want kvm or tcg\n'), { exitCode: 2, signal: null }) });
    await expect(refused(first!, 1)).rejects.toThrow(/^step 1 \([0-9a-f]{7}\): lab scenario refused to run: lab: LAB_ACCEL=x: want kvm or tcg$/);
    expect(existsSync(join(temp, `${hashes[0]!.slice(0, 7)}-install.sh`))).toBe(true);
  });

  // One test per case: each is a CLI start (seconds on a loaded 2-core machine), and ten in one
  // test ran past its 30 s budget when the machine was busy.
  const c = (h: number) => hashes[h]!;
  const badInput: [() => string[], RegExp][] = [
    [() => ['--repo', join(root, 'nope'), '--good', 'a', '--bad', 'b'], /^lab: --repo .*nope: no such directory$/],
    [() => ['--repo', root, '--good', 'a', '--bad', 'b'], /^lab: --repo .*: not a git repository/],
    [() => ['--repo', repo, '--good', 'v0.0.0', '--bad', 'HEAD'], /^lab: --good v0\.0\.0: unknown revision in /],
    [() => ['--repo', repo, '--good', 'HEAD', '--bad', c(0)], /^lab: --good HEAD \([0-9a-f]{7}\) is not an ancestor of --bad [0-9a-f]+ \([0-9a-f]{7}\): they are the wrong way round$/],
    [() => ['--repo', repo, '--good', c(2), '--bad', c(2)], /^lab: --good .* and --bad .* are the same commit/],
    [() => ['--repo', repo, '--good', c(3), '--bad', c(4)], /^lab: install\.sh is the same at [0-9a-f]{7} and [0-9a-f]{7} \(no commit on the path changed it\)/],
    [() => ['--repo', repo, '--path', 'README.md', '--good', c(0), '--bad', 'HEAD'], /^lab: README\.md is missing at the good revision [0-9a-f]{7} \(import install\.sh\) in /],
    [() => ['--repo', repo, '--good', c(0), '--bad', 'HEAD', '--scenario', 'nope'], /^lab: unknown scenario 'nope'/],
    [() => ['--repo', repo, '--good', c(0)], /^lab: give --bad/],
    [() => ['--repo', repo, '--good', c(0), '--bad', 'HEAD', '--keep'], /^lab: unknown option '--keep'/],
  ];
  it.each(badInput.map(([args, line]) => [line.source, args, line] as const))('says in one line, exit 2, what is wrong with the repo or the revisions: %s', async (_name, args, line) => {
    await execa('git', ['-C', repo, 'branch', '-f', 'side', hashes[1]!]);
    expect(refusalLine(await lab(['bisect', ...args()]), args().join(' '))).toMatch(line);
  });
});
