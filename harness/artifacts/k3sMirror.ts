/**
 * Mirror content for k3s in GitHub's release layout, which install.sh reads through GITHUB_URL:
 *   <root>/k3s/releases/download/<version>/k3s
 *   <root>/k3s/releases/download/<version>/sha256sum-amd64.txt   ("<sha256>  k3s")
 *   <root>/k3s/install.sh                                         (what get.k3s.io is rewritten to)
 * Files are hard-linked where possible (a real k3s is ~70 MB), copied otherwise.
 */
import { chmodSync, copyFileSync, linkSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedArtifact } from './resolved.ts';

function place(src: string, dest: string, mode: number): void {
  rmSync(dest, { force: true });
  try {
    linkSync(src, dest);
  } catch {
    copyFileSync(src, dest);
  }
  chmodSync(dest, mode);
}

export function k3sChecksumFile(sha256: string): string {
  return `${sha256}  k3s\n`;
}

/** One release directory (`k3s` + `sha256sum-amd64.txt`), as harness/services/mirrorLayout.ts mounts it. */
export function writeK3sReleaseDir(dir: string, k3s: ResolvedArtifact): string {
  mkdirSync(dir, { recursive: true });
  place(k3s.path, join(dir, 'k3s'), 0o755);
  writeFileSync(join(dir, 'sha256sum-amd64.txt'), k3sChecksumFile(k3s.sha256));
  return dir;
}

export interface K3sMirrorWritten {
  releaseDir: string;
  installSh?: string;
  /** Relative URL paths, for logs and assertions. */
  urls: { binary: string; checksums: string; installSh?: string };
}

export function writeK3sMirror(root: string, k3s: ResolvedArtifact, installSh?: ResolvedArtifact): K3sMirrorWritten {
  const releaseDir = writeK3sReleaseDir(join(root, 'k3s', 'releases', 'download', k3s.version), k3s);
  let installPath: string | undefined;
  if (installSh) {
    installPath = join(root, 'k3s', 'install.sh');
    place(installSh.path, installPath, 0o755);
  }
  const base = `/k3s/releases/download/${k3s.version}`;
  return {
    releaseDir,
    installSh: installPath,
    urls: { binary: `${base}/k3s`, checksums: `${base}/sha256sum-amd64.txt`, ...(installPath ? { installSh: '/k3s/install.sh' } : {}) },
  };
}
