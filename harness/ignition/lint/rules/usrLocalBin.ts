import { environment, k3sInstallUnits } from '../facts.ts';
import type { ConfigRule, Finding } from '../types.ts';

/** /usr is read-only on Flatcar: nothing can be written to /usr/local/bin; k3s belongs in /opt/bin. */
export const usrLocalBin: ConfigRule = {
  name: 'usr-local-bin',
  description: 'writing to /usr/local/bin (read-only on Flatcar)',
  check(t) {
    const out: Finding[] = [];
    const nodes = [...t.source.files, ...t.source.directories, ...t.source.links];
    for (const n of nodes) {
      if (n.path.value === '/usr' || n.path.value.startsWith('/usr/')) {
        out.push({ rule: 'usr-local-bin', severity: 'error', file: t.file, line: n.path.loc.line, message: `${n.path.value} is under /usr, which is read-only on Flatcar: Ignition cannot write it`, fix: 'put binaries in /opt/bin (on PATH on Flatcar)' });
      }
    }
    const installUnits = new Set(k3sInstallUnits(t).map((u) => u.unit.name.value));
    for (const e of environment(t)) {
      if (e.meant === 'INSTALL_K3S_BIN_DIR' && /^\/usr(\/|$)/.test(e.value) && installUnits.has(e.unit)) {
        out.push({ rule: 'usr-local-bin', severity: 'error', file: t.file, line: e.line, message: `${e.unit}: INSTALL_K3S_BIN_DIR=${e.value} is read-only on Flatcar; install.sh will fail to write k3s`, fix: 'drop it (install.sh falls back to /opt/bin) or set /opt/bin' });
      }
    }
    return out;
  },
};
