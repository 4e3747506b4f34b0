import { parseArgs } from 'node:util';
import { UsageError } from '../errors.ts';
import { reapStaleRuns } from '../lab/reap.ts';
import { stateRoot } from '../paths.ts';
import type { LabCommand } from './types.ts';

export const command: LabCommand = {
  name: 'clean',
  summary: 'remove what killed runs left behind: helper processes, lab namespaces, state (--all: live runs too)',
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { all: { type: 'boolean', default: false } } });
    if (positionals.length) throw new UsageError('usage: lab clean [--all]');
    const reaped = await reapStaleRuns({ all: values.all, orphanNetns: true });
    if (reaped.length === 0) {
      console.log(`lab clean: nothing left behind (state in ${stateRoot()})`);
      return 0;
    }
    for (const r of reaped) {
      const parts = [r.netnsDeleted ? 'namespace deleted' : 'no namespace', r.killed.length ? `stopped ${r.killed.join(', ')}` : 'no processes'];
      console.log(`lab clean: run ${r.runId}: ${parts.join('; ')}`);
    }
    return 0;
  },
};
