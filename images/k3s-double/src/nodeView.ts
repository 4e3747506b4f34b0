/** How a Node reads to a person (kubectl's columns), shared by `k3s kubectl` and the API's Table output. */
export function age(iso: string | undefined): string {
  if (!iso) return '<unknown>';
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

export function nodeStatus(node: any): string {
  const ready = node.status?.conditions?.find((c: any) => c.type === 'Ready');
  return ready?.status === 'True' ? 'Ready' : 'NotReady';
}

export function nodeRoles(node: any): string {
  const roles = Object.keys(node.metadata?.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
    .sort();
  return roles.length ? roles.join(',') : '<none>';
}
