import { accessSync, constants, existsSync, readFileSync, statfsSync } from 'node:fs';
import { freemem, totalmem } from 'node:os';
import { delimiter, join } from 'node:path';

/** One thing missing from the host, with the command or change that fixes it. */
export interface PreflightProblem {
  what: string;
  fix: string;
}

export interface PreflightNeeds {
  /** Memory the VMs need together, MiB. */
  memoryMiB: number;
  /** Free disk the run needs (disks, cache, report) in the directory that holds them, MiB. */
  diskMiB: number;
  /** Directory whose file system must have the free disk. */
  diskDir: string;
  /** Executables that must be on PATH, each with the Debian package that provides it. */
  tools: { name: string; pkg: string }[];
}

/** The host tools a scenario run uses, and their Debian packages. */
export const runTools: PreflightNeeds['tools'] = [
  { name: 'qemu-system-x86_64', pkg: 'qemu-system-x86' },
  { name: 'qemu-img', pkg: 'qemu-utils' },
  { name: 'dnsmasq', pkg: 'dnsmasq-base' },
  { name: 'ip', pkg: 'iproute2' },
  { name: 'ignition-validate', pkg: 'ignition' },
  { name: 'etcdctl', pkg: 'etcd-client' },
  { name: 'gpg', pkg: 'gpg' },
  { name: 'bzip2', pkg: 'bzip2' },
  { name: 'setpriv', pkg: 'util-linux' },
];

export interface HostFacts {
  onPath(tool: string): boolean;
  /** Memory available for new processes, MiB. */
  availableMemoryMiB(): number;
  freeDiskMiB(dir: string): number;
  tunUsable(): boolean;
}

export function realHost(env: NodeJS.ProcessEnv = process.env): HostFacts {
  return {
    onPath: (tool) =>
      (env.PATH ?? '').split(delimiter).some((d) => {
        try {
          accessSync(join(d, tool), constants.X_OK);
          return true;
        } catch {
          return false;
        }
      }),
    availableMemoryMiB: () => Math.floor(memAvailable() / 1024 / 1024),
    freeDiskMiB: (dir) => {
      let d = dir;
      while (!existsSync(d) && d !== '/') d = join(d, '..');
      const s = statfsSync(d);
      return Math.floor((s.bavail * s.bsize) / 1024 / 1024);
    },
    tunUsable: () => {
      try {
        accessSync('/dev/net/tun', constants.R_OK | constants.W_OK);
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** MemAvailable from /proc/meminfo (what the kernel can give without swapping), else free memory. */
function memAvailable(): number {
  try {
    const text = readFileSync('/proc/meminfo', 'utf8');
    const kb = /MemAvailable:\s+(\d+) kB/.exec(text)?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {
    /* not Linux: fall through */
  }
  return Math.min(freemem(), totalmem());
}

/**
 * Everything a run needs from the host, checked before anything starts. Each problem is one
 * line with its fix; the command prints them all and exits 2.
 */
export function preflight(needs: PreflightNeeds, host: HostFacts = realHost()): PreflightProblem[] {
  const problems: PreflightProblem[] = [];
  for (const tool of needs.tools) {
    if (!host.onPath(tool.name)) problems.push({ what: `${tool.name} not found`, fix: `apt-get install ${tool.pkg} (or: bash scripts/setup.sh)` });
  }
  const mem = host.availableMemoryMiB();
  if (mem < needs.memoryMiB) {
    problems.push({ what: `${mem} MiB memory available, the VMs need ${needs.memoryMiB} MiB`, fix: 'stop other VMs or processes, or run a scenario with fewer nodes' });
  }
  const disk = host.freeDiskMiB(needs.diskDir);
  if (disk < needs.diskMiB) {
    problems.push({ what: `${disk} MiB free in ${needs.diskDir}, the run needs ${needs.diskMiB} MiB`, fix: `free space there, or point LAB_CACHE_DIR / LAB_STATE_DIR at a larger disk` });
  }
  if (!host.tunUsable()) {
    problems.push({ what: '/dev/net/tun missing or not usable (the lab needs tap devices)', fix: 'modprobe tun; in a container: run with --device /dev/net/tun --cap-add NET_ADMIN' });
  }
  return problems;
}

export function formatProblems(problems: PreflightProblem[]): string {
  return problems.map((p) => `preflight: ${p.what} — fix: ${p.fix}`).join('\n');
}
