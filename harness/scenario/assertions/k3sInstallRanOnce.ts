import type { Assertion } from './types.ts';
import { perNode } from './types.ts';
import { parseJournalJson, parseListBoots, unitOutcomesByBoot } from './journal.ts';

const unit = 'k3s-install.service';
/**
 * The first disk boot and at least one boot after it: one later boot is what shows the guard
 * holding (the main job power-cycles its site once; reboot-idempotency reboots each node twice).
 */
const minBoots = 2;

/**
 * The journal across ≥ 2 disk boots shows k3s-install.service running in the first boot only and
 * skipped by its ConditionPathExists=!/opt/bin/k3s guard in every boot after.
 */
export const k3sInstallRanOnce: Assertion = {
  name: 'k3s-install-ran-once',
  description: `over ≥ ${minBoots - 1} reboots, ${unit} ran in the first disk boot only and was skipped by its condition after`,
  check(evidence) {
    return perNode(
      this.name,
      evidence.nodes.map((n) => {
        const boots = n.probes['list-boots'];
        const journal = n.probes['k3s-install-journal'];
        if (!boots || !journal) return { node: n.name, ok: false, text: `no SSH probes (${n.probeError ?? 'not collected'})` };
        const ids = parseListBoots(boots.stdout);
        const outcomes = unitOutcomesByBoot(ids, parseJournalJson(journal.stdout), unit);
        const summary = outcomes.map((o, i) => `boot ${i + 1}: ${o}`).join(', ') || 'no boots in the journal';
        if (ids.length < minBoots) {
          // Earlier boots vanish when journald keeps its journal in /run only (no /var/log/journal).
          const why = ids.length < n.vmStarts - 1 ? `; the node booted from disk ${n.vmStarts - 1}× — is the journal persistent (/var/log/journal)?` : '';
          return { node: n.name, ok: false, text: `only ${ids.length} boot(s) in the journal, need ≥ ${minBoots} (${summary})${why}` };
        }
        const ok = outcomes[0] === 'ran' && outcomes.slice(1).every((o) => o === 'skipped');
        return { node: n.name, ok, text: summary };
      }),
    );
  },
};
