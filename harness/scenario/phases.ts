/**
 * The points in a node's life the lab can observe, in the order they happen on real hardware:
 * DHCP lease, pxelinux config by TFTP, live PXE system, installer, reboot from disk,
 * first-boot Ignition, k3s-install.service, k3s serving, node Ready in the cluster.
 */
export const phases = [
  'dhcp',
  'pxe-config',
  'live',
  'installing',
  'rebooted',
  'first-boot',
  'k3s-install',
  'k3s-ready',
  'joined',
] as const;

export type Phase = (typeof phases)[number];

export function isPhase(value: string): value is Phase {
  return (phases as readonly string[]).includes(value);
}

/** Position in the flow; -1 for "nothing observed yet". */
export function phaseIndex(phase: Phase | undefined): number {
  return phase === undefined ? -1 : phases.indexOf(phase);
}

/** One line per phase, for reports and error messages. */
export const phaseMeaning: Record<Phase, string> = {
  dhcp: 'got its DHCP lease from dnsmasq',
  'pxe-config': 'fetched its pxelinux.cfg/<HEXIP> by TFTP',
  live: 'the live PXE system is up and fetched its PXE-stage Ignition config',
  installing: 'flatcar-install is writing the disk',
  rebooted: 'booted from its installed disk',
  'first-boot': 'Ignition applied config.ign on the first disk boot',
  'k3s-install': 'k3s-install.service ran install.sh',
  'k3s-ready': 'k3s is running and serving',
  joined: 'the Kubernetes API lists the node Ready',
};
