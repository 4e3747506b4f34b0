import type { NodeConsole } from '../guest/console.ts';
import type { NodeJournal } from '../guest/nodeJournal.ts';
import type { LabFaults } from './faultPort.ts';
import type { ApiSample } from './availability.ts';
import type { CommandResult } from '../guest/ssh.ts';
import type { LabAccess } from './labAccess.ts';
import type { NodeMachine } from './machine.ts';
import type { ObservationLog } from './observations.ts';
import type { PhaseTracker } from './phaseTracker.ts';
import type { NodeSpec } from './topology.ts';
import type { WaitEnv } from './waits.ts';

/** What a scenario's steps work with: the nodes, their machines and consoles, the observations, the lab. */
export interface RunContext {
  nodes: NodeSpec[];
  machines: Map<string, NodeMachine>;
  consoles: Map<string, NodeConsole>;
  /** Each node's streamed journal (empty for a machine without the stream). */
  journals: Map<string, NodeJournal>;
  /** The lab's network and boot-infrastructure faults; absent where no lab runs (unit tests without one). */
  faults?: LabFaults;
  log: ObservationLog;
  tracker: PhaseTracker;
  waitEnv: WaitEnv;
  access: LabAccess;
  /** Keeps a node powered off after its QEMU exits (power cut) instead of booting it again. */
  holdPower(node: string, hold: boolean): void;
  /** The API as polled so far (from its first answer on). */
  apiSamples(): readonly ApiSample[];
  note(text: string): void;
}

export function nodeNamed(ctx: RunContext, name: string): NodeSpec {
  const node = ctx.nodes.find((n) => n.name === name);
  if (!node) throw new Error(`no node ${name} in this scenario (have: ${ctx.nodes.map((n) => n.name).join(', ')})`);
  return node;
}

export function faultsOf(ctx: RunContext): LabFaults {
  if (!ctx.faults) throw new Error('this run has no lab to put faults into (network and mirror faults need one)');
  return ctx.faults;
}

export function machineOf(ctx: RunContext, name: string): NodeMachine {
  const m = ctx.machines.get(name);
  if (!m) throw new Error(`no machine for ${name}`);
  return m;
}

/** Runs a command as root on a node (the run key is authorised for `core`, who has sudo as on Flatcar). */
export function asRoot(command: string): string {
  return `sudo -n sh -c ${shellQuote(command)}`;
}

export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export async function sshRoot(ctx: RunContext, node: string, command: string, timeoutMs?: number): Promise<CommandResult> {
  return ctx.access.ssh(nodeNamed(ctx, node), asRoot(command), timeoutMs ? { timeoutMs } : {});
}
