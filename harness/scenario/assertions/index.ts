import { allNodesJoined } from './allNodesJoined.ts';
import { k3sInOptBin } from './k3sInOptBin.ts';
import { k3sInstallRanOnce } from './k3sInstallRanOnce.ts';
import { noReinstall } from './noReinstall.ts';
import type { Assertion } from './types.ts';
import { usrLocalBinReadOnly } from './usrLocalBinReadOnly.ts';

export const assertions: readonly Assertion[] = [usrLocalBinReadOnly, k3sInOptBin, k3sInstallRanOnce, allNodesJoined, noReinstall];

export type AssertionName = 'usr-local-bin-read-only' | 'k3s-in-opt-bin' | 'k3s-install-ran-once' | 'all-nodes-joined' | 'no-reinstall';

export function assertionByName(name: string): Assertion | undefined {
  return assertions.find((a) => a.name === name);
}
