/**
 * `lab bisect` from plan to verdict: the revisions to search, a progress line per step
 * ("step 2/≈4: abc1234 subject → bad (cause line)"), the first bad commit with its run's cause
 * line, and the bisect report rewritten after each step. How a revision is judged is given
 * (scenarioJudge.ts runs the scenario; tests give a function).
 */
import { shownPath } from '../history/shownPath.ts';
import { oneLine } from '../errors.ts';
import { writeBisectReport, type BisectRecord } from './bisectReport.ts';
import type { Git } from './git.ts';
import { planBisect, type BisectPlan } from './revisions.ts';
import { maxRuns, searchFirstBad, type BisectStep, type Judge } from './search.ts';

export interface BisectOptions {
  git: Git;
  path: string;
  good: string;
  bad: string;
  scenario: string;
  passThrough: readonly string[];
  /** The bisect's report folder. */
  reportDir: string;
  out?: (line: string) => void;
  err?: (line: string) => void;
}

export class BisectRun {
  record?: BisectRecord;

  constructor(readonly o: BisectOptions) {}

  #out(line: string): void {
    (this.o.out ?? console.log)(line);
  }

  async plan(): Promise<BisectPlan> {
    const plan = await planBisect(this.o.git, this.o.path, this.o.good, this.o.bad);
    this.record = { repo: this.o.git.repo, scenario: this.o.scenario, passThrough: this.o.passThrough, startedAt: new Date().toISOString(), plan, maxRuns: maxRuns(plan.revisions.length), steps: [], end: { kind: 'running' } };
    const changed = plan.revisions.length - 1;
    this.#out(
      `bisect: ${plan.path} from good ${plan.good.short} to bad ${plan.bad.short}: ${plan.onPath} commit${plan.onPath === 1 ? '' : 's'} on the ancestry path, ${changed} changed ${plan.path}; ` +
        `N = ${plan.revisions.length} revisions with the good end: at most ${this.record.maxRuns} runs (⌈log2 ${plan.revisions.length}⌉ + 1) of ${this.o.scenario}`,
    );
    if (plan.merges) this.#out(`bisect: note: the path has ${plan.merges} merge commit${plan.merges === 1 ? '' : 's'}; its commits are searched in git's topological order`);
    return plan;
  }

  #stepLine(s: BisectStep): string {
    const end = s.step === 1 ? ' (the good end)' : '';
    return `step ${s.step}/≈${this.record!.maxRuns}: ${s.revision.short} ${s.revision.subject}${end} → ${s.verdict.good ? 'good' : 'bad'} (${s.verdict.line})`;
  }

  #write(): void {
    if (this.record) writeBisectReport(this.o.reportDir, this.record);
  }

  /** Searches with `judge`; returns the exit code: 0 found, 1 the ends are not as given (or a run could not be judged). */
  async run(judge: Judge): Promise<number> {
    const plan = this.record?.plan ?? (await this.plan());
    const record = this.record!;
    let outcome;
    try {
      outcome = await searchFirstBad(plan.revisions, judge, (s) => {
        record.steps.push(s);
        this.#out(this.#stepLine(s));
        this.#write();
      });
    } catch (err) {
      record.end = { kind: 'error', message: oneLine(err) };
      this.#write();
      throw err;
    }
    const report = `${shownPath(this.o.reportDir)}/report.html`;
    if (outcome.kind === 'good-fails') {
      record.end = { kind: 'good-fails', line: outcome.verdict.line };
      this.#write();
      (this.o.err ?? console.error)(`bisect: the good revision ${plan.good.short} (${plan.good.subject}) does not meet its expectation in ${this.o.scenario}: ${outcome.verdict.line}; nothing to bisect — check the scenario with it first (report: ${report})`);
      return 1;
    }
    if (outcome.kind === 'bad-passes') {
      record.end = { kind: 'bad-passes' };
      this.#write();
      (this.o.err ?? console.error)(`bisect: the bad revision ${plan.bad.short} (${plan.bad.subject}) meets its expectation in ${this.o.scenario}: no commit on the path is bad here (report: ${report})`);
      return 1;
    }
    record.end = { kind: 'found', hash: outcome.first.hash, subject: outcome.first.subject, cause: outcome.verdict.line };
    this.#write();
    this.#out(`first bad commit: ${outcome.first.hash} ${outcome.first.subject}`);
    this.#out(`cause: ${outcome.verdict.line}`);
    this.#out(`bisect report: ${report} (${record.steps.length} run${record.steps.length === 1 ? '' : 's'} of at most ${record.maxRuns})`);
    return 0;
  }

  /** After a signal stopped the runs: the report says so. */
  stopped(signal: string): void {
    if (!this.record) return;
    this.record.end = { kind: 'stopped', signal };
    this.#write();
  }
}
