/**
 * Server-side printing (meta.k8s.io/v1 Table), which a real kubectl asks for with
 * `Accept: application/json;as=Table;…`: without it kubectl shows only NAME and AGE.
 */
import { age, nodeRoles, nodeStatus } from '../nodeView.ts';

const col = (name: string, priority = 0, format = '') => ({ name, type: 'string', format, description: '', priority });

export function wantsTable(accept: string | undefined): boolean {
  return /as=Table/.test(accept ?? '');
}

export function nodeTable(nodes: any[], resourceVersion: string): any {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: [
      col('Name', 0, 'name'),
      col('Status'),
      col('Roles'),
      col('Age'),
      col('Version'),
      col('Internal-IP', 1),
      col('External-IP', 1),
      col('OS-Image', 1),
      col('Kernel-Version', 1),
      col('Container-Runtime', 1),
    ],
    rows: nodes.map((n) => ({
      cells: [
        n.metadata.name,
        nodeStatus(n),
        nodeRoles(n),
        age(n.metadata.creationTimestamp),
        n.status?.nodeInfo?.kubeletVersion ?? '',
        n.status?.addresses?.find((a: any) => a.type === 'InternalIP')?.address ?? '<none>',
        '<none>',
        n.status?.nodeInfo?.osImage ?? '',
        n.status?.nodeInfo?.kernelVersion ?? '',
        n.status?.nodeInfo?.containerRuntimeVersion ?? '',
      ],
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: n.metadata },
    })),
  };
}
