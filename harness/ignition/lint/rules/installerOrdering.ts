import { parsedUnits } from '../facts.ts';
import { unitValues } from '../../systemdUnit.ts';
import type { ConfigRule, Finding } from '../types.ts';

/** A unit wanted by multi-user.target that reboots the machine must wait for boot to finish. */
export const installerOrdering: ConfigRule = {
  name: 'reboot-ordering',
  description: 'a unit that reboots, pulled in by multi-user.target, without After=multi-user.target',
  check(t) {
    return parsedUnits(t).flatMap((p): Finding[] => {
      const exec = unitValues(p.entries, 'Service', 'ExecStart').map((e) => e.value).join(' ');
      if (!/systemctl\s+(reboot|poweroff)/.test(exec)) return [];
      const wantedByMultiUser = unitValues(p.entries, 'Install', 'WantedBy').some((e) => e.value.split(/\s+/).includes('multi-user.target'));
      const after = unitValues(p.entries, 'Unit', 'After').flatMap((e) => e.value.split(/\s+/));
      if (!wantedByMultiUser || after.includes('multi-user.target')) return [];
      const execLine = unitValues(p.entries, 'Service', 'ExecStart')[0]!;
      return [
        {
          rule: 'reboot-ordering',
          severity: 'warning',
          file: t.file,
          line: p.lineOf(execLine),
          message: `${p.unit.name.value} reboots the machine but is not ordered after multi-user.target: its reboot can race the boot it is part of`,
          fix: 'add After=multi-user.target to [Unit]',
        },
      ];
    });
  },
};
