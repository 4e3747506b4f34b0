import type { Phase } from './phases.ts';

/**
 * Base time allowed to reach each phase from the one before, for one VM under TCG on this
 * 2-core machine (lab-os-feasibility.md), with margin. Every wait multiplies by the run's scale.
 */
export const phaseBudgetMs: Record<Phase, number> = {
  dhcp: 90_000,
  'pxe-config': 30_000,
  live: 240_000,
  installing: 180_000,
  rebooted: 300_000,
  'first-boot': 180_000,
  'k3s-install': 180_000,
  'k3s-ready': 300_000,
  joined: 240_000,
};

/** After the last fault ends, until every node is Ready again (cluster-recovers). */
export const recoveryBudgetMs = 400_000;
/** A node reboot, from the reboot request until k3s serves again. */
export const rebootBudgetMs = 300_000;
/** A guest's clean shutdown after the power button, before the power is cut instead. */
export const shutdownBudgetMs = 120_000;
/** SSH commands at the end of a run. */
export const probeBudgetMs = 60_000;
/** A PXE boot with no console output and no service event for this long has stalled (reset). */
export const pxeSilenceBudgetMs = 90_000;
/** Resets after a PXE stall, per node, before the phase wait is left to report it. */
export const pxeStallResets = 2;
