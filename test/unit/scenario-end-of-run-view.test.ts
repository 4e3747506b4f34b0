import { describe, expect, it } from 'vitest';
import { readEndOfRunView } from '../../harness/scenario/endOfRunView.ts';
import type { ClusterView } from '../../harness/scenario/evidence.ts';
import type { LabAccess } from '../../harness/scenario/labAccess.ts';

/** A lab whose API answers each read from a script: an Error is a read that got no answer. */
function scriptedAccess(answers: (ClusterView | Error)[]): LabAccess & { reads: number } {
  const access = {
    reads: 0,
    async cluster() {
      const a = answers[access.reads++];
      if (!a) throw new Error('no more answers scripted');
      if (a instanceof Error) throw a;
      return a;
    },
  };
  return access as unknown as LabAccess & { reads: number };
}

const whole: ClusterView = { nodes: [{ name: 'node-1', ready: true, roles: ['control-plane'] }], etcdMembers: ['node-1-x'] };
const noSleep = async () => {};

describe('the end-of-run cluster view', () => {
  it('takes the first answer, after unanswered reads, and keeps those as unanswered samples', async () => {
    const access = scriptedAccess([new Error('HTTP-Code: 503'), whole]);
    const r = await readEndOfRunView(access, 3, 5_000, noSleep);
    expect(r.view).toEqual(whole);
    expect(access.reads).toBe(2);
    expect(r.unanswered).toHaveLength(1);
    expect(r.unanswered[0]).toMatchObject({ ok: false, nodes: [] });
  });

  it('an API that never answers fails with its last error, after the tries it was given', async () => {
    const access = scriptedAccess([new Error('HTTP-Code: 503'), new Error('HTTP-Code: 503'), new Error('nodes from the lab probe: no answer within 30 s')]);
    const r = await readEndOfRunView(access, 3, 5_000, noSleep);
    expect(r.view).toEqual({ nodes: [], error: 'nodes from the lab probe: no answer within 30 s' });
    expect(access.reads).toBe(3);
    expect(r.unanswered).toHaveLength(3);
  });

  it('waits between tries', async () => {
    const waited: number[] = [];
    await readEndOfRunView(scriptedAccess([new Error('a'), new Error('b'), whole]), 3, 5_000, async (ms) => void waited.push(ms));
    expect(waited).toEqual([5_000, 5_000]);
  });
});
