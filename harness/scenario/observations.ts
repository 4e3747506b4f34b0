import type { Phase } from './phases.ts';

/** Where the lab saw something: the services' logs, the node's serial console, the VM process, probes. */
export type ObservationSource = 'dhcp' | 'tftp' | 'http' | 'console' | 'journal' | 'vm' | 'ssh' | 'api' | 'step';

/** One thing the lab saw happen to one node, at one time. Everything downstream is derived from these. */
export interface Observation {
  /** Milliseconds since the epoch. */
  at: number;
  node: string;
  source: ObservationSource;
  /** A short stable tag: `dhcp-ack`, `tftp-sent`, `http-get`, `console-line`, `vm-start`, `vm-exit`, … */
  kind: string;
  /** What a person reads in the report. */
  detail: string;
  /** The phase this observation proves the node reached, if any. */
  phase?: Phase;
  /** Which boot of the node (1 = the PXE boot) the observation belongs to, when known. */
  boot?: number;
}

export type ObservationListener = (obs: Observation) => void;

/** The run's append-only record of observations; waits and the phase tracker subscribe to it. */
export class ObservationLog {
  readonly #items: Observation[] = [];
  readonly #listeners = new Set<ObservationListener>();

  add(obs: Observation): void {
    this.#items.push(obs);
    for (const listener of this.#listeners) listener(obs);
  }

  all(): readonly Observation[] {
    return this.#items;
  }

  forNode(node: string): Observation[] {
    return this.#items.filter((o) => o.node === node);
  }

  subscribe(listener: ObservationListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
