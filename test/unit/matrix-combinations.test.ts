import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { lab, refusalLine } from './support/labCli.ts';
import { combinationId, expandCombinations, idPart, type Combination } from '../../harness/matrix/combination.ts';
import { listedJobs } from '../../harness/matrix/listing.ts';
import { inShard, parseShard } from '../../harness/matrix/shard.ts';


const three = expandCombinations(['single-node', 'install-sh-regression'], [], ['double', 'v1.32.4+k3s1']).slice(0, 3);

describe('matrix combinations', () => {
  it('every scenario × install.sh × k3s version, an axis not given being one default value', () => {
    const all = expandCombinations(['single-node', 'three-node-ha'], ['fixture', 'https://get.k3s.io'], []);
    expect(all.map((c) => [c.scenario, c.installSh, c.k3sVersion])).toEqual([
      ['single-node', 'fixture', undefined],
      ['single-node', 'https://get.k3s.io', undefined],
      ['three-node-ha', 'fixture', undefined],
      ['three-node-ha', 'https://get.k3s.io', undefined],
    ]);
    expect(expandCombinations(['single-node'], [], []).map((c) => c.id)).toEqual(['single-node']);
    // Given twice, run once.
    expect(expandCombinations(['single-node', 'single-node'], ['fixture', 'fixture'], [])).toHaveLength(1);
  });

  it("ids come from the combination's own values: file-name safe, and distinct where the values differ", () => {
    expect(combinationId({ scenario: 'single-node', k3sVersion: 'v1.32.4+k3s1' })).toBe('single-node__k3s=v1.32.4+k3s1');
    const a = idPart('fixture:pr13712');
    expect(a).toMatch(/^fixture-pr13712-[0-9a-f]{6}$/);
    expect(idPart('fixture-pr13712')).toBe('fixture-pr13712');
    expect(idPart('a/b')).not.toBe(idPart('a:b'));
    for (const c of expandCombinations(['single-node'], ['https://get.k3s.io/', './my install.sh', 'fixture:pr13712'], ['v1.32.4+k3s1'])) expect(c.id).toMatch(/^[A-Za-z0-9.+=_-]+$/);
  });

  it('--shard I/N partitions three combinations: each lands in exactly one shard, for any N', () => {
    expect(three).toHaveLength(3);
    for (let n = 1; n <= 6; n++) {
      const shards = Array.from({ length: n }, (_, i) => three.filter((c) => inShard(c.id, { index: i + 1, count: n })).map((c) => c.id));
      expect(shards.flat().sort()).toEqual(three.map((c) => c.id).sort());
      for (const c of three) expect(shards.filter((s) => s.includes(c.id))).toHaveLength(1);
    }
  });

  it('a combination keeps its shard when others are added or removed', () => {
    const axes = { scenarios: [], installShs: [], k3sVersions: [], passThrough: [] };
    const shardsOf = (list: { id: string }[]) => new Map(listedJobs(list.map((c) => ({ ...c, scenario: 'x', nodes: 1 })), axes, { shards: 3 }).flatMap((j) => j.ids.map((id) => [id, j.shard] as const)));
    const before = shardsOf(three);
    const more = expandCombinations(['single-node', 'install-sh-regression', 'three-node-ha', 'mirror-outage'], [], ['double', 'v1.32.4+k3s1', 'v1.31.4+k3s1']);
    for (const c of three) expect(more.map((m) => m.id)).toContain(c.id);
    const after = shardsOf(more);
    for (const c of three) expect(after.get(c.id), c.id).toBe(before.get(c.id));
    const fewer = shardsOf(three.slice(1));
    for (const c of three.slice(1)) expect(fewer.get(c.id), c.id).toBe(before.get(c.id));
    // And it is the shard `--shard` runs.
    for (const c of three) expect(inShard(c.id, parseShard(before.get(c.id)!))).toBe(true);
  });

  it('refuses a shard that is not I/N with 1 ≤ I ≤ N', () => {
    for (const bad of ['0/3', '4/3', '1/0', '1', 'a/b', '-1/2']) expect(() => parseShard(bad), bad).toThrow(/--shard wants I\/N/);
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
  });

  it('lists jobs for a CI: per combination, or per non-empty shard with the args that run exactly it', () => {
    const combos: Combination[] = three.map((c) => ({ ...c, nodes: 1 }));
    const axes = { scenarios: ['single-node', 'install-sh-regression'], installShs: [], k3sVersions: ['double', 'v1.32.4+k3s1'], passThrough: ['--online'] };
    const perCombination = listedJobs(combos, axes, {});
    expect(perCombination.map((j) => j.job)).toEqual(combos.map((c) => c.id));
    expect(perCombination[1]!.argv).toEqual(['matrix', 'single-node', '--k3s-version', 'v1.32.4+k3s1', '--online']);
    const perShard = listedJobs(combos, axes, { shards: 4 });
    expect(perShard.flatMap((j) => j.ids).sort()).toEqual(combos.map((c) => c.id).sort());
    for (const j of perShard) {
      expect(j.argv.slice(-2)).toEqual(['--shard', j.shard]);
      expect(j.args).toBe(j.argv.slice(1).join(' '));
    }
  });

  it('lab matrix --list --json --shards: each listed shard, run with --list, holds exactly the ids it was listed with', async () => {
    const args = ['matrix', 'single-node', 'install-sh-regression', 'three-node-ha', '--k3s-version', 'double', '--k3s-version', 'v1.32.4+k3s1'];
    const listed = await lab([...args, '--list', '--json', '--shards', '3']);
    expect(listed.exitCode, listed.stderr).toBe(0);
    const { include } = JSON.parse(listed.stdout) as { include: { shard: string; ids: string[]; argv: string[] }[] };
    expect(Object.keys(JSON.parse(listed.stdout))).toEqual(['include']);
    expect(include.flatMap((j) => j.ids)).toHaveLength(6);
    for (const j of include) {
      const one = await lab([...j.argv, '--list', '--json']);
      expect(one.exitCode, one.stderr).toBe(0);
      const again = JSON.parse(one.stdout) as { include: { ids: string[] }[] };
      expect(again.include.map((x) => x.ids)).toEqual([j.ids]);
    }
  });

  // One test per case: each is a CLI start, seconds apiece on a busy 2-core machine.
  const badInput: [string[], RegExp][] = [
    [['matrix'], /^lab: give at least one scenario; known: /],
    [['matrix', 'nope'], /^lab: unknown scenario 'nope'/],
    [['matrix', 'single-node', '--jobs', '0'], /^lab: --jobs wants a whole number ≥ 1 or 'auto', not '0'$/],
    [['matrix', 'single-node', '--shard', '3/2'], /^lab: --shard wants I\/N/],
    [['matrix', 'single-node', '--json'], /^lab: --json goes with --list$/],
    [['matrix', 'single-node', '--k3s-version', 'latest'], /^lab: not a k3s release version: "latest"/],
    [['matrix', 'single-node', '--install-sh', 'bogus'], /^lab: install\.sh source "bogus"/],
    [['matrix', 'single-node', '--keep'], /^lab: unknown option '--keep'/],
  ];
  it.each(badInput.map(([args, line]) => [args.join(' '), args, line] as const))('bad input is one line and exit 2: lab %s', async (_name, args, line) => {
    expect(refusalLine(await lab(args), args.join(' '))).toMatch(line);
  });
});
