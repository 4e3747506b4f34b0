import { k3sInstallUnits, type ParsedUnit } from '../facts.ts';
import { unitValues } from '../../systemdUnit.ts';
import type { ConfigRule, Finding } from '../types.ts';

export const binaryGuard = '!/opt/bin/k3s';
export const stampFix = 'guard on a stamp written only after install.sh succeeded: ConditionPathExists=!/opt/k3s-install.done and ExecStartPost=/usr/bin/sh -c "sync && touch /opt/k3s-install.done && sync"';

/** The paths an ExecStartPost= of the unit creates (`touch PATH`): stamps written after install.sh succeeded. */
export function stampsOf(p: ParsedUnit): string[] {
  return unitValues(p.entries, 'Service', 'ExecStartPost').flatMap((e) => [...e.value.matchAll(/\btouch\s+(\/\S+?)["']?(?=\s|$|&&|;)/g)].map((m) => m[1]!));
}

/**
 * The install unit must run once: skipped once k3s is installed (the seed's !/opt/bin/k3s), or
 * once a stamp written after a successful install.sh exists. Without either, install.sh runs again
 * on every boot.
 */
export const k3sInstallGuard: ConfigRule = {
  name: 'k3s-install-guard',
  description: 'a k3s install unit without a first-boot guard (!/opt/bin/k3s or a stamp written after install.sh), or without the script guard',
  check(t) {
    return k3sInstallUnits(t).flatMap((p): Finding[] => {
      const conditions = unitValues(p.entries, 'Unit', 'ConditionPathExists');
      const at = p.unit.contents ? p.lineOf({ line: 0 }) : p.unit.loc.line;
      const stamps = stampsOf(p);
      const out: Finding[] = [];
      const guarded = conditions.some((c) => c.value === binaryGuard || stamps.some((s) => c.value === `!${s}`));
      if (!guarded) {
        const wrong = conditions.find((c) => /^!.*\/k3s$/.test(c.value));
        out.push({
          rule: 'k3s-install-guard',
          severity: 'error',
          file: t.file,
          line: wrong ? p.lineOf(wrong) : at,
          message: wrong
            ? `${p.unit.name.value}: guard ${wrong.value} checks a path install.sh does not use on Flatcar (it installs to /opt/bin): reinstalls every boot`
            : `${p.unit.name.value}: no first-boot guard (ConditionPathExists=${binaryGuard}, or a stamp its ExecStartPost= writes): install.sh runs again on every boot`,
          fix: stampFix,
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

/**
 * install.sh moves the binary to /opt/bin before it writes k3s.service and starts it. A guard
 * on the binary therefore also holds after a power cut in that window, and every later boot
 * skips install.sh although the node never got its k3s.service (power-cut-during-k3s-install).
 */
export const guardSurvivesPowerCut: ConfigRule = {
  name: 'guard-survives-power-cut',
  description: `a k3s install unit guarded by ${binaryGuard}, which a power cut inside install.sh turns into "never install"`,
  check(t) {
    return k3sInstallUnits(t).flatMap((p): Finding[] => {
      const guard = unitValues(p.entries, 'Unit', 'ConditionPathExists').find((c) => c.value === binaryGuard);
      if (!guard) return [];
      return [
        {
          rule: 'guard-survives-power-cut',
          severity: 'warning',
          file: t.file,
          line: p.lineOf(guard),
          message: `${p.unit.name.value}: ConditionPathExists=${binaryGuard} does not survive a power cut between install.sh moving k3s into /opt/bin and writing and starting k3s.service: every later boot skips install.sh`,
          fix: stampFix,
        },
      ];
    });
  },
};
