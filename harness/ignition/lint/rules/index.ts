/** Every lint rule, by name. Config rules look at one config; cluster rules compare the nodes of one cluster. */
import type { ClusterRule, ConfigRule } from '../types.ts';
import { clusterInitCount } from './clusterInitCount.ts';
import { decimalMode } from './decimalMode.ts';
import { envNearMiss } from './envNearMiss.ts';
import { forkingOneshot } from './forkingOneshot.ts';
import { installerOrdering } from './installerOrdering.ts';
import { joinWithoutToken } from './joinWithoutToken.ts';
import { guardSurvivesPowerCut, k3sInstallGuard } from './k3sInstallGuard.ts';
import { remoteWithoutHash } from './remoteWithoutHash.ts';
import { serverUrl } from './serverUrl.ts';
import { tokenMismatch } from './tokenMismatch.ts';
import { usrLocalBin } from './usrLocalBin.ts';

export const configRules: readonly ConfigRule[] = [decimalMode, envNearMiss, forkingOneshot, k3sInstallGuard, guardSurvivesPowerCut, usrLocalBin, remoteWithoutHash, installerOrdering];
export const clusterRules: readonly ClusterRule[] = [tokenMismatch, clusterInitCount, serverUrl, joinWithoutToken];
