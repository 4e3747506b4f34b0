import type { AccessEntry, StalledDownload } from '../../services/accessLog.ts';
import type { Observation } from '../observations.ts';
import type { Phase } from '../phases.ts';
import type { NodeIndex } from './nodeIndex.ts';

/** Which fetch from the mirror proves which phase (node name substituted into the Ignition paths). */
function phaseOfFetch(path: string, node: string): Phase | undefined {
  if (path === `/ignition/${node}-ignite-pxe.ign`) return 'live';
  if (/^\/flatcar\/[^/]+\/[^/]+\/(flatcar_production_image\.bin\.bz2|version\.txt)$/.test(path)) return 'installing';
  if (/^\/flatcar\/[^/]+\/[^/]+\/flatcar_production_pxe(\.vmlinuz|_image\.cpio\.gz)$/.test(path)) return 'pxe-config';
  if (path === '/k3s/install.sh') return 'first-boot';
  if (/^\/k3s\/releases\/download\/[^/]+\/(k3s|sha256sum-amd64\.txt)$/.test(path)) return 'k3s-install';
  return undefined;
}

/**
 * One mirror access-log entry → an observation for the node at that client IP.
 * The PXE kernel fetch proves pxe-config (pxelinux read its config), the PXE-stage Ignition
 * fetch proves the live system runs Ignition, the image download proves flatcar-install,
 * install.sh fetched by first-boot Ignition proves first-boot, the k3s binary proves k3s-install.
 */
export function httpObservation(entry: AccessEntry, nodes: NodeIndex): Observation | undefined {
  const node = nodes.byIp(entry.clientIp);
  if (!node) return undefined;
  const path = entry.path.split('?')[0] ?? entry.path;
  const ok = entry.status >= 200 && entry.status < 300;
  const phase = ok && entry.method !== 'HEAD' ? phaseOfFetch(path, node.name) : undefined;
  return {
    at: entry.time.getTime(),
    node: node.name,
    source: 'http',
    kind: ok ? 'http-get' : 'http-error',
    detail: `${entry.method} ${path} ${entry.status} (${entry.bytes} bytes)`,
    ...(phase ? { phase } : {}),
  };
}

/** The mirror saw a download to the node stop moving: the client's TCP stack took no more data. */
export function httpStallObservation(stall: StalledDownload, nodes: NodeIndex): Observation | undefined {
  const node = nodes.byIp(stall.clientIp);
  if (!node) return undefined;
  const mb = (n: number) => (n / 1e6).toFixed(1);
  return {
    at: stall.time.getTime(),
    node: node.name,
    source: 'http',
    kind: 'http-stalled',
    detail: `download of ${stall.path.split('?')[0]} stopped at ${mb(stall.bytes)} of ${mb(stall.total)} MB (no data taken for ${Math.round(stall.idleMs / 1000)} s)`,
  };
}
