import type { Observation, ObservationLog } from './observations.ts';
import { phaseIndex, phases, type Phase } from './phases.ts';

export interface PhaseMark {
  phase: Phase;
  at: number;
  boot?: number;
  /** The observation that proved it, in words. */
  evidence: string;
}

export type PhaseListener = (node: string, mark: PhaseMark) => void;

/**
 * Derives each node's phase from the observations. A phase is reached the first time any
 * observation proves it; the node's phase is the furthest one reached. Logs are read at
 * different paces (the console is live, the mirror log is polled), so a proof of an earlier
 * phase may arrive after a later one: it still records its time, but never moves the node back.
 * A node whose disk was replaced (a `disk-replaced` observation) starts over: its phases count
 * again from then on, and what it reached before stays in its marks for the report.
 */
export class PhaseTracker {
  readonly #marks = new Map<string, Map<Phase, PhaseMark>>();
  readonly #listeners = new Set<PhaseListener>();
  /** Marks of a node's earlier disks, in order. */
  readonly #earlier = new Map<string, PhaseMark[]>();
  /** When the node's current disk went in (absent: its first disk). */
  readonly #since = new Map<string, number>();

  constructor(nodes: readonly string[], log?: ObservationLog) {
    for (const node of nodes) this.#marks.set(node, new Map());
    if (log) {
      for (const obs of log.all()) this.observe(obs);
      log.subscribe((obs) => this.observe(obs));
    }
  }

  observe(obs: Observation): void {
    if (obs.kind === 'disk-replaced') return this.#startOver(obs.node, obs.at);
    if (!obs.phase) return;
    const marks = this.#marks.get(obs.node);
    // A late proof from the old disk's life (a polled log) is not progress of the new one.
    if (!marks || marks.has(obs.phase) || obs.at < (this.#since.get(obs.node) ?? 0)) return;
    const mark: PhaseMark = { phase: obs.phase, at: obs.at, boot: obs.boot, evidence: obs.detail };
    marks.set(obs.phase, mark);
    for (const listener of this.#listeners) listener(obs.node, mark);
  }

  #startOver(node: string, at: number): void {
    const marks = this.#marks.get(node);
    if (!marks) return;
    this.#earlier.set(node, [...(this.#earlier.get(node) ?? []), ...this.marks(node)]);
    this.#marks.set(node, new Map());
    this.#since.set(node, at);
  }

  /** When the node's current disk went in, if it was replaced during the run. */
  diskSince(node: string): number | undefined {
    return this.#since.get(node);
  }

  nodes(): string[] {
    return [...this.#marks.keys()];
  }

  /** The furthest phase the node reached, or undefined when nothing was seen yet. */
  phaseOf(node: string): Phase | undefined {
    let best: Phase | undefined;
    for (const phase of this.#marks.get(node)?.keys() ?? []) {
      if (phaseIndex(phase) > phaseIndex(best)) best = phase;
    }
    return best;
  }

  /** True once the node reached `phase` or any later one. */
  reached(node: string, phase: Phase): boolean {
    return phaseIndex(this.phaseOf(node)) >= phaseIndex(phase);
  }

  mark(node: string, phase: Phase): PhaseMark | undefined {
    return this.#marks.get(node)?.get(phase);
  }

  /** The node's marks in phase order (phases never observed are absent), its earlier disks' first. */
  marks(node: string): PhaseMark[] {
    const marks = this.#marks.get(node);
    if (!marks) return [];
    return [
      ...(this.#earlier.get(node) ?? []),
      ...phases.flatMap((p) => {
        const m = marks.get(p);
        return m ? [m] : [];
      }),
    ];
  }

  subscribe(listener: PhaseListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
