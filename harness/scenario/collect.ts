import { oneLine } from '../errors.ts';
import { probeBudgetMs } from './budgets.ts';
import { batchScript, parseBatch } from './probeBatch.ts';
import { probes, type NodeEvidence, type ProbeName } from './evidence.ts';
import type { LabAccess } from './labAccess.ts';
import type { PhaseTracker } from './phaseTracker.ts';
import { asRoot } from './runContext.ts';
import type { NodeSpec } from './topology.ts';

/**
 * Runs every probe on one node over SSH (as root through sudo). A node that never booted from
 * its disk has nothing to probe; a probe that cannot run records why, for the assertions to quote.
 */
export async function collectNodeEvidence(access: LabAccess, node: NodeSpec, tracker: PhaseTracker, vmStarts: number, scale: number): Promise<NodeEvidence> {
  const evidence: NodeEvidence = { name: node.name, ip: node.ip, role: node.role, vmStarts, probes: {} };
  if (!tracker.reached(node.name, 'first-boot')) {
    evidence.probeError = `never reached first-boot (reached: ${tracker.phaseOf(node.name) ?? 'nothing'})`;
    return evidence;
  }
  try {
    const r = await access.ssh(node, asRoot(batchScript(probes)), { timeoutMs: probeBudgetMs * scale });
    const results = parseBatch(r.stdout);
    for (const name of Object.keys(probes) as ProbeName[]) {
      const result = results[name];
      if (result) evidence.probes[name] = result;
    }
    if (Object.keys(results).length === 0) evidence.probeError = `the probe script printed nothing (exit ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''})`;
  } catch (err) {
    evidence.probeError = oneLine(err);
  }
  return evidence;
}

/**
 * The node's journal for its current boot (last lines), for the report: what the console does
 * not show (installer and install.sh output, k3s). Best effort: a node without SSH says why.
 */
export async function collectJournal(access: LabAccess, node: NodeSpec, scale: number): Promise<string> {
  try {
    const r = await access.ssh(node, asRoot('journalctl -b --no-pager -o short-monotonic -n 1500'), { timeoutMs: 30_000 * scale });
    return r.code === 0 ? r.stdout : `(journalctl exited ${r.code}: ${r.stderr.trim()})\n${r.stdout}`;
  } catch (err) {
    return `(no journal: ${oneLine(err)})\n`;
  }
}
