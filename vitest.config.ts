import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Unit tests run two at a time or more; end-to-end tests boot VMs or start real daemons and
// run one file at a time so two of them never fight over the 2 cores.
export default defineConfig({
  test: {
    // Many unit files wait on child processes (shells, ssh-keygen, TLS servers), not on the CPU,
    // so two files at once pay on 2 cores: the unit suite took 220 s, where Vitest's default
    // (cores - 1: one at a time here) took 324 s. Three at once timed out a test when the files
    // that start many `lab` CLIs (CPU-bound) met. Larger machines keep the default. The e2e
    // project runs in a single fork whatever this says.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    minWorkers: 1,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 20 * 60_000,
          hookTimeout: 20 * 60_000,
        },
      },
    ],
  },
});
