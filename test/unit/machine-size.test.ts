import { describe, expect, it } from 'vitest';
import { nodeCpus } from '../../harness/scenario/machineSize.ts';

describe('nodeCpus', () => {
  it('shares the host cores out among the nodes: at least one each, at most four', () => {
    expect(nodeCpus(2, 1)).toBe(2);
    expect(nodeCpus(2, 3)).toBe(1);
    expect(nodeCpus(1, 1)).toBe(1);
    expect(nodeCpus(8, 2)).toBe(4);
    expect(nodeCpus(7, 3)).toBe(2);
    expect(nodeCpus(64, 1)).toBe(4);
  });
});
