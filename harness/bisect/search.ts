/**
 * The binary search, apart from how a revision is judged. revisions[0] is the good end and is
 * run first: a good end that fails makes every answer nonsense, so the search stops there. The
 * first bad revision k is then searched in 1…N-1, with N (one past the end) standing for "even the
 * bad end passes" — so the answer is always a revision that was run (its cause line is known), and
 * the runs number at most 1 + ⌈log2 N⌉ for N revisions, good included.
 */
import type { Revision } from './revisions.ts';

export interface RevisionVerdict {
  good: boolean;
  /** The run's cause line (or its verdict when it passed). */
  line: string;
  /** The run's report folder. */
  reportPath?: string;
}

export type Judge = (revision: Revision, step: number) => Promise<RevisionVerdict>;

export interface BisectStep {
  step: number;
  revision: Revision;
  verdict: RevisionVerdict;
}

export type SearchOutcome =
  | { kind: 'found'; first: Revision; verdict: RevisionVerdict; steps: BisectStep[] }
  | { kind: 'good-fails'; verdict: RevisionVerdict; steps: BisectStep[] }
  | { kind: 'bad-passes'; steps: BisectStep[] };

export function maxRuns(revisions: number): number {
  return 1 + Math.ceil(Math.log2(Math.max(1, revisions)));
}

export async function searchFirstBad(revisions: readonly Revision[], judge: Judge, onStep: (s: BisectStep) => void = () => {}): Promise<SearchOutcome> {
  const steps: BisectStep[] = [];
  const test = async (i: number): Promise<RevisionVerdict> => {
    const step = steps.length + 1;
    const verdict = await judge(revisions[i]!, step);
    const s = { step, revision: revisions[i]!, verdict };
    steps.push(s);
    onStep(s);
    return verdict;
  };
  const goodEnd = await test(0);
  if (!goodEnd.good) return { kind: 'good-fails', verdict: goodEnd, steps };
  let lo = 0;
  let hi = revisions.length;
  let hiVerdict: RevisionVerdict | undefined;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const v = await test(mid);
    if (v.good) lo = mid;
    else {
      hi = mid;
      hiVerdict = v;
    }
  }
  if (hi === revisions.length || !hiVerdict) return { kind: 'bad-passes', steps };
  return { kind: 'found', first: revisions[hi]!, verdict: hiVerdict, steps };
}
