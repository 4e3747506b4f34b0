/**
 * What a bisect searches: the good revision, then each commit on the ancestry path good..bad
 * that changed the file (a commit that left install.sh as it was runs the same script as the one
 * before it, so testing it would tell nothing), oldest first. Every refusal is one line: a
 * revision git does not know, good not an ancestor of bad, the file missing at a revision.
 */
import { UsageError } from '../errors.ts';
import type { Git } from './git.ts';

export interface Revision {
  hash: string;
  short: string;
  subject: string;
  /** The file's blob id at this commit. */
  blob: string;
}

export interface BisectPlan {
  path: string;
  good: Revision;
  bad: Revision;
  /** good first, then the commits that changed the file; N = their count is what the run bound counts. */
  revisions: Revision[];
  /** Commits on the ancestry path (good excluded), whether or not they changed the file. */
  onPath: number;
  /** Merge commits on the path: the search treats the path as a line, as a person reading `git log` would. */
  merges: number;
}

const short = (hash: string) => hash.slice(0, 7);

export async function planBisect(git: Git, path: string, goodRev: string, badRev: string): Promise<BisectPlan> {
  const good = await git.commit(goodRev, '--good');
  const bad = await git.commit(badRev, '--bad');
  if (good === bad) throw new UsageError(`--good ${goodRev} and --bad ${badRev} are the same commit (${short(good)}): nothing to bisect`);
  if (!(await git.isAncestor(good, bad))) {
    const reversed = await git.isAncestor(bad, good);
    throw new UsageError(`--good ${goodRev} (${short(good)}) is not an ancestor of --bad ${badRev} (${short(bad)})${reversed ? ': they are the wrong way round' : ''}`);
  }
  const file = path.replace(/^\.?\//, '');
  const commits = [{ hash: good, subject: await git.subject(good) }, ...(await git.ancestryPath(good, bad))];
  const blobs = await git.blobsAt(commits.map((c) => c.hash), file);
  const revs: Revision[] = commits.map((c, i) => {
    const b = blobs[i];
    if (!b || 'missing' in b) throw new UsageError(`${file} is ${b && 'missing' in b ? b.missing : 'missing'} at ${i === 0 ? 'the good revision ' : ''}${short(c.hash)} (${c.subject}) in ${git.repo}`);
    return { hash: c.hash, short: short(c.hash), subject: c.subject, blob: b.blob };
  });
  const revisions = revs.filter((r, i) => i === 0 || r.blob !== revs[i - 1]!.blob);
  if (revisions.length === 1) throw new UsageError(`${file} is the same at ${short(good)} and ${short(bad)} (no commit on the path changed it): nothing to bisect in it`);
  return { path: file, good: revs[0]!, bad: revs.at(-1)!, revisions, onPath: commits.length - 1, merges: await git.mergeCount(good, bad) };
}
