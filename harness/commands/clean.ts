import { UsageError } from '../errors.ts';
import { reapStaleRuns } from '../lab/reap.ts';
import { reapTempDirs } from '../lab/tempDirs.ts';
import { installsRoot, stateRoot } from '../paths.ts';
import { parseCommandArgs } from './args.ts';
import type { LabCommand } from './types.ts';

/** The options `lab clean` takes (also read by the CI recipe's test). */
export const options = { all: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } } as const;

export const command: LabCommand = {
  name: 'clean',
  summary: 'remove what killed runs left behind: helper processes, lab namespaces, state, temp dirs (--all: live runs too)',
  async run(argv) {
    const { values, positionals } = parseCommandArgs('clean', argv, options);
    if (values.help) {
      console.log('usage: lab clean [--all]');
      return 0;
    }
    if (positionals.length) throw new UsageError(`clean takes no arguments, not '${positionals.join(' ')}' (usage: lab clean [--all])`);
    const reaped = await reapStaleRuns({ all: values.all, orphanNetns: true });
    const dirs = [...reapTempDirs(), ...reapTempDirs(installsRoot())];
    for (const d of dirs) console.log(`lab clean: removed ${d} (its run is gone)`);
    if (reaped.length === 0) {
      if (dirs.length) return 0;
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
