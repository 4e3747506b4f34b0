import { oneLine } from '../errors.ts';
import type { CommandResult } from '../guest/ssh.ts';
import { probeBudgetMs } from './budgets.ts';
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
  for (const [name, command] of Object.entries(probes) as [ProbeName, string][]) {
    try {
      const result: CommandResult = await access.ssh(node, asRoot(command), { timeoutMs: probeBudgetMs * scale });
      evidence.probes[name] = result;
    } catch (err) {
      evidence.probeError = oneLine(err);
      break;
    }
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
