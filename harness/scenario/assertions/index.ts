import { allNodesJoined } from './allNodesJoined.ts';
import { apiKeptAnswering } from './apiKeptAnswering.ts';
import { mirrorFaultMet } from './mirrorFaultMet.ts';
import { clusterRecovers } from './clusterRecovers.ts';
import { k3sInOptBin } from './k3sInOptBin.ts';
import { k3sInstallRanOnce } from './k3sInstallRanOnce.ts';
import { noReinstall } from './noReinstall.ts';
import type { Assertion } from './types.ts';
import { usrLocalBinReadOnly } from './usrLocalBinReadOnly.ts';

export const assertions: readonly Assertion[] = [usrLocalBinReadOnly, k3sInOptBin, k3sInstallRanOnce, allNodesJoined, noReinstall, clusterRecovers, apiKeptAnswering, mirrorFaultMet];

export type AssertionName = 'usr-local-bin-read-only' | 'k3s-in-opt-bin' | 'k3s-install-ran-once' | 'all-nodes-joined' | 'no-reinstall' | 'cluster-recovers' | 'api-kept-answering' | 'mirror-fault-met';

export function assertionByName(name: string): Assertion | undefined {
  return assertions.find((a) => a.name === name);
}
