import { parsedUnits } from '../facts.ts';
import { unitValues } from '../../systemdUnit.ts';
import type { ConfigRule, Finding } from '../types.ts';

/**
 * Type=forking means "ExecStart forks a daemon and exits"; a script that runs to completion
 * (install.sh, flatcar-install && reboot) is Type=oneshot, which also orders later units after it.
 */
export const forkingOneshot: ConfigRule = {
  name: 'forking-oneshot',
  description: 'Type=forking for a command that runs to completion',
  check(t) {
    return parsedUnits(t).flatMap((p): Finding[] => {
      const type = unitValues(p.entries, 'Service', 'Type').at(-1);
      if (!type || type.value !== 'forking') return [];
      const exec = unitValues(p.entries, 'Service', 'ExecStart').map((e) => e.value).join(' ');
      const remain = unitValues(p.entries, 'Service', 'RemainAfterExit').some((e) => /^(yes|true|1|on)$/i.test(e.value));
      const runsToCompletion = remain || /\bsh -c\b|\.sh\b|flatcar-install|systemctl reboot|install/.test(exec);
      if (!runsToCompletion) return [];
      return [
        {
          rule: 'forking-oneshot',
          severity: 'error',
          file: t.file,
          line: p.lineOf(type),
          message: `${p.unit.name.value}: Type=forking but ExecStart runs to completion (${exec.slice(0, 60)}${exec.length > 60 ? '…' : ''})`,
          fix: 'use Type=oneshot (with RemainAfterExit=yes if later units should see it as active)',
        },
      ];
    });
  },
};
