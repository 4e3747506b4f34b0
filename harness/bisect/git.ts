/**
 * The few git commands a bisect needs, over a local checkout only (never a fetch): each failure
 * becomes one line naming the repository and what was asked.
 */
import { execa } from 'execa';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.ts';

export class Git {
  readonly repo: string;

  private constructor(repo: string) {
    this.repo = repo;
  }

  /** The repository at path, or a UsageError saying why it is not one. */
  static async open(path: string): Promise<Git> {
    const repo = resolve(path);
    if (!existsSync(repo) || !statSync(repo).isDirectory()) throw new UsageError(`--repo ${path}: no such directory`);
    const r = await execa('git', ['-C', repo, 'rev-parse', '--git-dir'], { reject: false });
    if (r.exitCode !== 0) throw new UsageError(`--repo ${path}: not a git repository (${repo})`);
    return new Git(repo);
  }

  async #git(args: string[], input?: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    // Offline by construction: nothing here talks to a remote; the environment cannot make git prompt.
    const r = await execa('git', ['-C', this.repo, ...args], { reject: false, env: { GIT_TERMINAL_PROMPT: '0' }, ...(input !== undefined ? { input } : {}) });
    return { exitCode: r.exitCode ?? 1, stdout: r.stdout, stderr: r.stderr };
  }

  async #out(args: string[], input?: string): Promise<string> {
    const r = await this.#git(args, input);
    if (r.exitCode !== 0) throw new UsageError(`git ${args.join(' ')} in ${this.repo}: ${r.stderr.split('\n')[0] || `exit ${r.exitCode}`}`);
    return r.stdout;
  }

  /** The full hash of a revision that names a commit, or a UsageError. */
  async commit(rev: string, flag: string): Promise<string> {
    const r = await this.#git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]);
    if (r.exitCode !== 0 || !/^[0-9a-f]{40,64}$/.test(r.stdout.trim())) throw new UsageError(`${flag} ${rev}: unknown revision in ${this.repo}`);
    return r.stdout.trim();
  }

  async isAncestor(a: string, b: string): Promise<boolean> {
    return (await this.#git(['merge-base', '--is-ancestor', a, b])).exitCode === 0;
  }

  /** Commits on the ancestry path from good (excluded) to bad (included), oldest first, with their subjects. */
  async ancestryPath(good: string, bad: string): Promise<{ hash: string; subject: string }[]> {
    const out = await this.#out(['log', '--ancestry-path', '--topo-order', '--reverse', '--format=%H%x09%s', `${good}..${bad}`]);
    return out.split('\n').filter(Boolean).map((l) => ({ hash: l.slice(0, l.indexOf('\t')), subject: l.slice(l.indexOf('\t') + 1) }));
  }

  async mergeCount(good: string, bad: string): Promise<number> {
    return Number((await this.#out(['rev-list', '--ancestry-path', '--merges', '--count', `${good}..${bad}`])).trim());
  }

  async subject(hash: string): Promise<string> {
    return (await this.#out(['log', '-1', '--format=%s', hash])).trim();
  }

  /** The object each `hash:path` names: a blob id, or why not (missing, a directory). One git process for all. */
  async blobsAt(hashes: readonly string[], path: string): Promise<({ blob: string } | { missing: string })[]> {
    const out = await this.#out(['cat-file', '--batch-check'], hashes.map((h) => `${h}:${path}`).join('\n') + '\n');
    return out.split('\n').filter(Boolean).map((line) => {
      const [id, type] = line.split(' ');
      if (type === 'blob') return { blob: id! };
      if (type === 'missing') return { missing: 'missing' };
      return { missing: `a ${type ?? 'non-file'}, not a file` };
    });
  }

  /** The file's bytes at a commit, exactly (execa would strip the last newline). */
  async show(hash: string, path: string): Promise<Buffer> {
    const r = await execa('git', ['-C', this.repo, 'show', `${hash}:${path}`], { reject: false, encoding: 'buffer', stripFinalNewline: false, env: { GIT_TERMINAL_PROMPT: '0' } });
    if (r.exitCode !== 0) throw new UsageError(`git show ${hash.slice(0, 7)}:${path} in ${this.repo}: ${Buffer.from(r.stderr).toString().split('\n')[0]}`);
    return Buffer.from(r.stdout);
  }
}
