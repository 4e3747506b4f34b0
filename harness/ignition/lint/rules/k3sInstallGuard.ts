import { k3sInstallUnits } from '../facts.ts';
import { unitValues } from '../../systemdUnit.ts';
import type { ConfigRule, Finding } from '../types.ts';

/** Without ConditionPathExists=!/opt/bin/k3s the install unit reinstalls k3s on every boot. */
export const k3sInstallGuard: ConfigRule = {
  name: 'k3s-install-guard',
  description: 'a k3s install unit without the !/opt/bin/k3s guard (or without the script guard)',
  check(t) {
    return k3sInstallUnits(t).flatMap((p): Finding[] => {
      const conditions = unitValues(p.entries, 'Unit', 'ConditionPathExists');
      const at = p.unit.contents ? p.lineOf({ line: 0 }) : p.unit.loc.line;
      const out: Finding[] = [];
      if (!conditions.some((c) => c.value === '!/opt/bin/k3s')) {
        const wrong = conditions.find((c) => /^!.*\/k3s$/.test(c.value));
        out.push({
          rule: 'k3s-install-guard',
          severity: 'error',
          file: t.file,
          line: wrong ? p.lineOf(wrong) : at,
          message: wrong
            ? `${p.unit.name.value}: guard ${wrong.value} checks a path install.sh does not use on Flatcar (it installs to /opt/bin): reinstalls every boot`
            : `${p.unit.name.value}: no ConditionPathExists=!/opt/bin/k3s: install.sh runs again on every boot`,
          fix: 'add ConditionPathExists=!/opt/bin/k3s to [Unit]',
        });
      }
      if (!conditions.some((c) => !c.value.startsWith('!') && /install\.sh$/.test(c.value))) {
        out.push({
          rule: 'k3s-install-guard',
          severity: 'warning',
          file: t.file,
          line: at,
          message: `${p.unit.name.value}: no ConditionPathExists for the install script: if Ignition did not write it, the unit fails instead of being skipped`,
          fix: 'add ConditionPathExists=/opt/k3s-install.sh to [Unit]',
        });
      }
      return out;
    });
  },
};
