/**
 * Ties a child's life to the harness: `setpriv --pdeathsig KILL` (util-linux) sets the kernel's
 * parent-death signal (prctl PR_SET_PDEATHSIG) and execs the command, so the pid is the command's
 * own and the signal survives the exec chain (`ip netns exec`, `nsenter` exec in turn). When the
 * harness dies without tearing down (SIGKILL, a crash), the kernel kills its QEMUs and helpers at
 * once; the namespace and state left behind are reaped by the next run or `lab clean`.
 */
export function dieWithParent(file: string, argv: string[]): [string, string[]] {
  return ['setpriv', ['--pdeathsig', 'KILL', '--', file, ...argv]];
}
