import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { batchScript, parseBatch } from '../../harness/scenario/probeBatch.ts';

describe('probe batch', () => {
  it('runs several commands in one shell and returns each stdout, stderr and exit status', async () => {
    const script = batchScript({
      ok: 'echo hello; echo "@@probe fake"',
      fails: "touch /proc/k3s-ro-test",
      binary: "printf '\\001\\002\\nx'",
      empty: 'true',
    });
    const r = await execa('sh', ['-c', script]);
    const results = parseBatch(r.stdout);
    expect(results.ok).toEqual({ code: 0, stdout: 'hello\n@@probe fake\n', stderr: '' });
    expect(results.fails!.code).not.toBe(0);
    expect(results.fails!.stderr).toContain('k3s-ro-test');
    expect(results.binary!.stdout).toBe('\u0001\u0002\nx');
    expect(results.empty).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(Object.keys(results)).toEqual(['ok', 'fails', 'binary', 'empty']);
  });
  it('a cut-off answer leaves the missing sections out', () => {
    expect(parseBatch('@@probe a\ncode=0\naGk=\n\n@@probe b\ncode=1\n')).toEqual({ a: { code: 0, stdout: 'hi', stderr: '' } });
  });
});
