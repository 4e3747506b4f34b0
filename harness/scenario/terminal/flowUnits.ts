/**
 * The units of the flow, whose failure ends a node's run, and whether systemd restarts them: a unit
 * systemd will restart is terminal only when it gives up (its start limit, or a crash loop).
 * Other units failing (a lab helper, a timer) are recorded, never terminal.
 */
export interface UnitPolicy {
  restarts: boolean;
  /** Where the policy comes from, for a person reading why a failure was (not) terminal. */
  from: string;
}

export type FlowUnits = ReadonlyMap<string, UnitPolicy>;

/** A unit a scenario's templates define: its name and, when given, the unit file's text. */
export interface TemplateUnit {
  name: string;
  contents?: string;
}

/**
 * install.sh writes k3s.service (server) or k3s-agent.service (agent) with `Restart=always` and
 * `RestartSec=5s` (k3s install.sh, create_systemd_service_file), and no start limit of its own:
 * systemd's default (5 starts in 10 s) is never reached at one start per 5 s, so such a unit
 * restarts for ever and its end has to be judged from what it prints.
 */
const installShUnits: [string, UnitPolicy][] = [
  ['k3s.service', { restarts: true, from: "install.sh's unit (Restart=always)" }],
  ['k3s-agent.service', { restarts: true, from: "install.sh's unit (Restart=always)" }],
];

/** The flow's units by name when the templates do not define them (the project's templates are oneshots). */
const defaults: [string, UnitPolicy][] = [
  ['installer.service', { restarts: false, from: 'the flow (oneshot)' }],
  ['k3s-install.service', { restarts: false, from: 'the flow (oneshot)' }],
];

function restartsPerUnitFile(contents: string): boolean {
  const values = [...contents.matchAll(/^\s*Restart\s*=\s*(\S+)/gm)].map((m) => m[1]!);
  const last = values.at(-1);
  return last !== undefined && last !== 'no';
}

export function flowUnits(templateUnits: readonly TemplateUnit[]): FlowUnits {
  const units = new Map<string, UnitPolicy>([...defaults, ...installShUnits]);
  for (const u of templateUnits) {
    if (!u.name.endsWith('.service')) continue;
    units.set(u.name, u.contents === undefined ? (units.get(u.name) ?? { restarts: false, from: 'the templates (drop-in only)' }) : { restarts: restartsPerUnitFile(u.contents), from: 'the templates' });
  }
  return units;
}

/** Ignition's own units in the initramfs have no Restart=: each failure is final for that boot. */
export function policyOf(units: FlowUnits, unit: string): UnitPolicy | undefined {
  if (/^ignition-[a-z-]+\.service$/.test(unit)) return { restarts: false, from: "Ignition's initramfs unit" };
  return units.get(unit);
}
