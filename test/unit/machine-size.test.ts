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

describe('LAB_NODE_CPUS', () => {
  it('overrides the share, even beyond the host cores (a person asked for it)', () => {
    expect(nodeCpus(2, 3, { LAB_NODE_CPUS: '2' })).toBe(2);
    expect(nodeCpus(2, 1, { LAB_NODE_CPUS: '1' })).toBe(1);
    expect(nodeCpus(2, 1, {})).toBe(2);
  });
});
