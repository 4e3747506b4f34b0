import type { Assertion } from './types.ts';
import { perNode } from './types.ts';
import { parseJournalJson } from './journal.ts';

const erofs = /k3s-ro-test.*Read-only file system|Read-only file system.*k3s-ro-test/;

/**
 * /usr/local/bin is read-only on every node, seen twice: install.sh's own output (in the
 * k3s-install.service journal) shows its k3s-ro-test touch failing, and a touch over SSH now
 * fails with EROFS.
 */
export const usrLocalBinReadOnly: Assertion = {
  name: 'usr-local-bin-read-only',
  description: "install.sh's k3s-ro-test touch failed with EROFS, and a touch over SSH fails the same way",
  check(evidence) {
    return perNode(
      this.name,
      evidence.nodes.map((n) => {
        const touch = n.probes['touch-usr-local-bin'];
        const journal = n.probes['k3s-install-journal'];
        if (!touch || !journal) return { node: n.name, ok: false, text: `no SSH probes (${n.probeError ?? 'not collected'})` };
        const sshSaysRo = touch.code !== 0 && /Read-only file system/.test(touch.stderr);
        const installShSaw = parseJournalJson(journal.stdout).find((e) => erofs.test(e.message));
        const parts = [
          sshSaysRo ? 'touch over SSH: Read-only file system' : `touch over SSH: exit ${touch.code} ${touch.stderr.trim() || '(no error)'}`,
          installShSaw
            ? `install.sh output: "${installShSaw.message.trim()}"`
            : `install.sh output has no failed k3s-ro-test touch${n.vmStarts > 2 ? ' (install.sh ran in the first disk boot: is the journal persistent?)' : ''}`,
        ];
        return { node: n.name, ok: sshSaysRo && installShSaw !== undefined, text: parts.join('; ') };
      }),
    );
  },
};
