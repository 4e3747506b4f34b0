import { decimalDigitsAsOctal, formatOctal, intendedOctalMode } from '../../mode.ts';
import type { ConfigRule, Finding } from '../types.ts';

/** `mode: 777` is decimal 777 = 0o1411 (sticky, owner read-only): nobody means that. */
export const decimalMode: ConfigRule = {
  name: 'decimal-mode',
  description: 'a mode that is only reasonable when read as octal',
  check(t) {
    const nodes = [...t.source.files.map((f) => ({ f, dir: false })), ...t.source.directories.map((f) => ({ f, dir: true }))];
    return nodes.flatMap(({ f, dir }): Finding[] => {
      const mode = f.mode;
      if (!mode || /^0/.test(mode.raw)) return [];
      const meant = intendedOctalMode(mode.value, dir) ?? (mode.value > 0o777 ? decimalDigitsAsOctal(mode.value) : undefined);
      if (meant === undefined) return [];
      return [
        {
          rule: 'decimal-mode',
          severity: 'error',
          file: t.file,
          line: mode.loc.line,
          message: `${f.path.value}: mode ${mode.raw} is decimal, i.e. 0o${mode.value.toString(8)} (${describe(mode.value)}), not ${formatOctal(meant)}`,
          fix: `write mode: ${formatOctal(meant)}`,
        },
      ];
    });
  },
};

function describe(mode: number): string {
  const bits = 'rwxrwxrwx';
  const perms = [...bits].map((c, i) => ((mode >> (8 - i)) & 1 ? c : '-')).join('');
  const special = [mode & 0o4000 ? 'setuid' : '', mode & 0o2000 ? 'setgid' : '', mode & 0o1000 ? 'sticky' : ''].filter(Boolean);
  return [...special, perms].join(', ');
}
