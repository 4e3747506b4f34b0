import type { FaultMechanism, Impairment } from '../lab/faults.ts';
import type { MirrorFaultRule } from '../services/mirrorFaults.ts';

/**
 * What a scenario's fault steps can do to the lab, besides the machines' power: the network and
 * the boot infrastructure. The lab implements it (labRun.ts); every fault lives in the lab's own
 * namespace or run directory, so teardown undoes it whatever stopped the run.
 */
export interface LabFaults {
  linkDown(node: string): Promise<void>;
  linkUp(node: string): Promise<void>;
  /** Delay and loss on the node's link; says which mechanism did it (netem, or nftables where netem is missing). */
  impair(node: string, imp: Impairment): Promise<FaultMechanism>;
  clearImpairment(node: string): Promise<void>;
  partition(a: readonly string[], b: readonly string[]): Promise<void>;
  healPartition(): Promise<void>;
  silenceDhcp(node: string): Promise<void>;
  restoreDhcp(node: string): Promise<void>;
  addMirrorFault(rule: MirrorFaultRule): void;
}
