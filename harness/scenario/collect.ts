import { oneLine } from '../errors.ts';
import { probeBudgetMs } from './budgets.ts';
import { batchScript, parseBatch } from './probeBatch.ts';
import { probes, type NodeEvidence, type ProbeName } from './evidence.ts';
import type { LabAccess } from './labAccess.ts';
import type { PhaseTracker } from './phaseTracker.ts';
import { asRoot } from './runContext.ts';
import type { NodeSpec } from './topology.ts';

/** The node's journal for its current boot (last lines): what the console does not show (installer and install.sh output, k3s). */
const journalCommand = 'journalctl -b --no-pager -o short-monotonic -n 1500';
/** The journal's name in the batch: not a probe's name. */
const journalKey = 'journal-of-this-boot';

export interface CollectedNode {
  evidence: NodeEvidence;
  /** For the report; best effort: a node without SSH says why instead. */
  journal: string;
}

/**
 * Runs every probe on one node over SSH (as root through sudo) and reads its journal, in one SSH
 * session: under TCG each handshake costs the guest seconds of CPU. A node that never booted from
 * its disk has nothing to probe, only a journal to read; a probe that cannot run records why, for
 * the assertions to quote.
 */
export async function collectNode(access: LabAccess, node: NodeSpec, tracker: PhaseTracker, vmStarts: number, scale: number): Promise<CollectedNode> {
  const evidence: NodeEvidence = { name: node.name, ip: node.ip, role: node.role, vmStarts, probes: {} };
  const probing = tracker.reached(node.name, 'first-boot');
  if (!probing) evidence.probeError = `never reached first-boot (reached: ${tracker.phaseOf(node.name) ?? 'nothing'})`;
  const commands: Record<string, string> = { ...(probing ? probes : {}), [journalKey]: journalCommand };
  try {
    const r = await access.ssh(node, asRoot(batchScript(commands)), { timeoutMs: probeBudgetMs * scale });
    const results = parseBatch(r.stdout);
    if (probing) {
      for (const name of Object.keys(probes) as ProbeName[]) {
        const result = results[name];
        if (result) evidence.probes[name] = result;
      }
      if (Object.keys(evidence.probes).length === 0) evidence.probeError = `the probe script printed nothing (exit ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''})`;
    }
    const journal = results[journalKey];
    if (!journal) return { evidence, journal: `(no journal: the probe script printed nothing; exit ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''})\n` };
    return { evidence, journal: journal.code === 0 ? journal.stdout : `(journalctl exited ${journal.code}: ${journal.stderr.trim()})\n${journal.stdout}` };
  } catch (err) {
    if (probing) evidence.probeError = oneLine(err);
    return { evidence, journal: `(no journal: ${oneLine(err)})\n` };
  }
}
