import { describe, expect, it } from 'vitest';
import { loadKubeConfig, observeNode } from '../../harness/cluster/nodes.ts';
import { k3sEtcdCredentials, parseMemberList } from '../../harness/cluster/etcd.ts';
import { kubeconfigYaml } from '../../images/k3s-double/src/kubeconfig.ts';

describe('cluster probes', () => {
  it('keeps 64-bit etcd member IDs exact', () => {
    const json = '{"header":{"cluster_id":14841639068965178418,"member_id":10276657743932975437},"members":[{"ID":10276657743932975437,"name":"n1-ab","peerURLs":["https://10.0.0.70:2380"],"clientURLs":["https://10.0.0.70:2379"]},{"ID":2,"peerURLs":["https://10.0.0.71:2380"],"isLearner":true}]}';
    expect(parseMemberList(json)).toEqual([
      { id: '10276657743932975437', name: 'n1-ab', peerURLs: ['https://10.0.0.70:2380'], clientURLs: ['https://10.0.0.70:2379'], isLearner: false },
      { id: '2', name: '', peerURLs: ['https://10.0.0.71:2380'], clientURLs: [], isLearner: true },
    ]);
    expect(k3sEtcdCredentials('/var/lib/rancher/k3s').cert).toBe('/var/lib/rancher/k3s/server/tls/etcd/client.crt');
  });

  it('reads Ready only from status True, and roles from node-role labels', () => {
    const n = (status: string) => ({
      metadata: { name: 'node-1', labels: { 'node-role.kubernetes.io/master': 'true', 'node-role.kubernetes.io/control-plane': 'true', 'kubernetes.io/os': 'linux' } },
      status: { conditions: [{ type: 'Ready', status, reason: 'R' }], addresses: [{ type: 'InternalIP', address: '10.0.0.70' }] },
    });
    expect(observeNode(n('True'))).toMatchObject({ ready: true, roles: ['control-plane', 'master'], internalIp: '10.0.0.70' });
    expect(observeNode(n('Unknown')).ready).toBe(false);
    expect(observeNode(n('False')).ready).toBe(false);
  });

  it('rewrites the server of a k3s.yaml for access from outside the node', () => {
    const kc = loadKubeConfig(kubeconfigYaml('https://127.0.0.1:6443', 'CA', 'CRT', 'KEY'), { server: 'https://10.0.0.70:6443' });
    expect(kc.getCurrentCluster()?.server).toBe('https://10.0.0.70:6443');
    expect(kc.getCurrentUser()?.certData).toBe(Buffer.from('CRT').toString('base64'));
  });
});
