/** What an artifact source resolved to: enough for a report to say exactly which file ran. */
export interface ResolvedArtifact {
  kind: 'double' | 'fixture' | 'file' | 'cache' | 'download';
  path: string;
  sha256: string;
  /** k3s: the release it is or stands for (v1.32.4+k3s1). install.sh: the ref, "fixture", or "local". */
  version: string;
  description: string;
}
