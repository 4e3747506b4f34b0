import { describe, expect, it } from 'vitest';
import { ObservationLog } from '../../harness/scenario/observations.ts';
import { PhaseTracker } from '../../harness/scenario/phaseTracker.ts';
import { phaseIndex, phases } from '../../harness/scenario/phases.ts';
import { dnsmasqObservation } from '../../harness/scenario/observe/dnsmasqEvents.ts';
import { httpObservation } from '../../harness/scenario/observe/httpEvents.ts';
import { consoleObservations } from '../../harness/scenario/observe/consoleEvents.ts';
import { nodeIndex } from '../../harness/scenario/observe/nodeIndex.ts';
import type { NodeSpec } from '../../harness/scenario/topology.ts';

const nodes: NodeSpec[] = [
  { name: 'node-1', mac: '52:54:00:00:00:46', ip: '10.0.0.70', role: 'init' },
  { name: 'node-2', mac: '52:54:00:00:00:47', ip: '10.0.0.71', role: 'server' },
];
const index = nodeIndex(nodes);

describe('phases', () => {
  it('are the flow in order', () => {
    expect(phases).toEqual(['dhcp', 'pxe-config', 'live', 'installing', 'rebooted', 'first-boot', 'k3s-install', 'k3s-ready', 'joined']);
    expect(phaseIndex(undefined)).toBe(-1);
    expect(phaseIndex('joined')).toBe(8);
  });
});

describe('dnsmasq log → observations', () => {
  it('reads DHCPACK by MAC as dhcp', () => {
    const o = dnsmasqObservation('Nov 25 18:30:01 dnsmasq-dhcp[812]: DHCPACK(labbr0) 10.0.0.71 52:54:00:00:00:47 node-2', index, 5);
    expect(o).toMatchObject({ node: 'node-2', phase: 'dhcp', source: 'dhcp', at: 5 });
  });
  it('reads the TFTP pxelinux.cfg transfer as pxe-config', () => {
    const o = dnsmasqObservation('dnsmasq-tftp[812]: sent /run/lab/x/tftp/pxelinux.cfg/0A000046 to 10.0.0.70', index);
    expect(o).toMatchObject({ node: 'node-1', phase: 'pxe-config', detail: 'TFTP sent pxelinux.cfg/0A000046' });
  });
  it('keeps other TFTP transfers without a phase and ignores strangers', () => {
    expect(dnsmasqObservation('dnsmasq-tftp[1]: sent /t/pxelinux.0 to 10.0.0.70', index)).toMatchObject({ kind: 'tftp-sent' });
    expect(dnsmasqObservation('dnsmasq-tftp[1]: sent /t/pxelinux.0 to 10.0.0.70', index)?.phase).toBeUndefined();
    expect(dnsmasqObservation('DHCPACK(br) 10.0.0.99 52:54:00:00:00:99', index)).toBeUndefined();
    expect(dnsmasqObservation('DHCPDISCOVER(br) 52:54:00:00:00:46', index)).toBeUndefined();
  });
});

describe('mirror log → observations', () => {
  const entry = (path: string, status = 200, ip = '10.0.0.70') => ({ time: new Date(1000), clientIp: ip, method: 'GET', path, status, bytes: 10, durationMs: 1 });
  it('maps fetches to phases', () => {
    expect(httpObservation(entry('/flatcar/amd64-usr/current/flatcar_production_pxe.vmlinuz'), index)?.phase).toBe('pxe-config');
    expect(httpObservation(entry('/ignition/node-1-ignite-pxe.ign'), index)?.phase).toBe('live');
    expect(httpObservation(entry('/flatcar/amd64-usr/3815.2.0/flatcar_production_image.bin.bz2'), index)?.phase).toBe('installing');
    expect(httpObservation(entry('/k3s/install.sh'), index)?.phase).toBe('first-boot');
    expect(httpObservation(entry('/k3s/releases/download/v1.31.4%2Bk3s1/k3s'), index)?.phase).toBe('k3s-install');
  });
  it("ignores another node's config, errors and unknown clients", () => {
    expect(httpObservation(entry('/ignition/node-2-ignite-pxe.ign'), index)?.phase).toBeUndefined();
    expect(httpObservation(entry('/ignition/node-1-ignite-pxe.ign', 404), index)).toMatchObject({ kind: 'http-error' });
    expect(httpObservation(entry('/ignition/node-1-ignite-pxe.ign', 404), index)?.phase).toBeUndefined();
    expect(httpObservation(entry('/k3s/install.sh', 200, '10.0.0.200'), index)).toBeUndefined();
  });
});

describe('console → observations', () => {
  it('tells PXE boot lines from disk boot lines', () => {
    const line = (text: string, boot: number) => ({ at: 1, boot, text });
    expect(consoleObservations('node-1', line('[  OK  ] Started k3s.service - Lightweight Kubernetes.', 2)).map((o) => o.phase)).toEqual(['k3s-ready']);
    expect(consoleObservations('node-1', line('[  OK  ] Started k3s.service', 1))).toEqual([]);
    expect(consoleObservations('node-1', line('         Starting installer.service - Flatcar installer...', 1)).map((o) => o.phase)).toEqual(['live', 'installing']);
    expect(consoleObservations('node-1', line('ignition[612]: Ignition finished successfully', 2)).map((o) => o.phase)).toEqual(['first-boot']);
  });
});

describe('PhaseTracker', () => {
  it('moves forward only and records late proofs of earlier phases', () => {
    const log = new ObservationLog();
    const tracker = new PhaseTracker(['node-1', 'node-2'], log);
    const seen: string[] = [];
    tracker.subscribe((node, mark) => seen.push(`${node}:${mark.phase}`));
    log.add({ at: 10, node: 'node-1', source: 'dhcp', kind: 'dhcp-ack', detail: 'ack', phase: 'dhcp' });
    log.add({ at: 30, node: 'node-1', source: 'http', kind: 'http-get', detail: 'pxe ign', phase: 'live' });
    expect(tracker.phaseOf('node-1')).toBe('live');
    log.add({ at: 20, node: 'node-1', source: 'tftp', kind: 'tftp-pxe-config', detail: 'cfg', phase: 'pxe-config' });
    expect(tracker.phaseOf('node-1')).toBe('live');
    expect(tracker.mark('node-1', 'pxe-config')?.at).toBe(20);
    log.add({ at: 40, node: 'node-1', source: 'dhcp', kind: 'dhcp-ack', detail: 'again', phase: 'dhcp' });
    expect(tracker.mark('node-1', 'dhcp')?.at).toBe(10);
    expect(tracker.marks('node-1').map((m) => m.phase)).toEqual(['dhcp', 'pxe-config', 'live']);
    expect(tracker.reached('node-1', 'pxe-config')).toBe(true);
    expect(tracker.reached('node-1', 'installing')).toBe(false);
    expect(tracker.phaseOf('node-2')).toBeUndefined();
    expect(seen).toEqual(['node-1:dhcp', 'node-1:live', 'node-1:pxe-config']);
  });
});

describe('console signals by stage', () => {
  it('a PXE boot that restarted (boot 2 before any install) is still PXE', () => {
    const line = { at: 1, boot: 2, text: '[  OK  ] Reached target ignition-complete.target - Ignition Complete.' };
    expect(consoleObservations('node-3', line, false)).toEqual([]);
    expect(consoleObservations('node-3', line, true).map((o) => o.phase)).toEqual(['first-boot']);
  });
});
