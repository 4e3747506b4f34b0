import type { Assertion } from './types.ts';
import { perNode } from './types.ts';

/** install.sh fell back to /opt/bin: the binary is there, not in /usr/local/bin, and is what the mirror served. */
export const k3sInOptBin: Assertion = {
  name: 'k3s-in-opt-bin',
  description: '/opt/bin/k3s present with the sha256 the mirror served; /usr/local/bin/k3s absent',
  check(evidence) {
    const served = evidence.servedK3sSha256;
    return perNode(
      this.name,
      evidence.nodes.map((n) => {
        const opt = n.probes['opt-bin-k3s'];
        const usr = n.probes['usr-local-bin-k3s'];
        if (!opt || !usr) return { node: n.name, ok: false, text: `no SSH probes (${n.probeError ?? 'not collected'})` };
        const sha = opt.code === 0 ? /^([0-9a-f]{64})\s/.exec(opt.stdout)?.[1] : undefined;
        const usrAbsent = usr.code !== 0;
        const problems: string[] = [];
        if (!sha) problems.push(`/opt/bin/k3s missing (${opt.stderr.trim() || `exit ${opt.code}`})`);
        else if (!served) problems.push('the sha256 the mirror served is unknown');
        else if (sha !== served) problems.push(`/opt/bin/k3s sha256 ${sha.slice(0, 12)}… differs from the served ${served.slice(0, 12)}…`);
        if (!usrAbsent) problems.push(`/usr/local/bin/k3s exists: ${usr.stdout.trim()}`);
        const text = problems.length ? problems.join('; ') : `/opt/bin/k3s sha256 ${sha!.slice(0, 12)}… = served; /usr/local/bin/k3s absent`;
        return { node: n.name, ok: problems.length === 0, text };
      }),
    );
  },
};
