/** etcd v3 through its JSON gateway (/v3/...), over TLS with a client certificate, as k3s's apiserver talks to it. */
import { Agent } from 'node:https';
import { httpsRequest, type TlsMaterial } from '../https.ts';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');

/** The key just after every key with this prefix, as etcd's range_end wants it. */
function prefixEnd(prefix: string): string {
  const b = Buffer.from(prefix, 'utf8');
  b[b.length - 1]! += 1;
  return b.toString('base64');
}

export interface KeyValue {
  key: string;
  value: string;
  modRevision: string;
  createRevision: string;
  lease?: string;
}

export interface Member {
  id: string;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  /** A non-voting member that only follows the log (etcd 3.4+); it does not count for quorum. */
  isLearner: boolean;
}

/** What a member says of itself (maintenance/status). */
export interface MemberStatus {
  memberId: string;
  /** The member ID of the current leader, "0" while there is none. */
  leader: string;
  isLearner: boolean;
  raftAppliedIndex: number;
}

export class EtcdError extends Error {}

export class EtcdClient {
  /**
   * Connections kept open between requests, as kube-apiserver keeps its etcd connection: under TCG
   * a TLS handshake per request (two per node list, two per heartbeat) was guest CPU spent on the
   * one node the harness polls every second, and only that node's etcd calls timed out.
   */
  private readonly agent = new Agent({ keepAlive: true });

  constructor(
    readonly endpoint: string,
    private readonly tls: TlsMaterial,
    private readonly timeoutMs = 5_000,
  ) {}

  private async call<T>(path: string, body: unknown, timeoutMs = this.timeoutMs): Promise<T> {
    const res = await httpsRequest(`${this.endpoint}${path}`, { ...this.tls, body: JSON.stringify(body), timeoutMs, agent: this.agent });
    let parsed: any;
    try {
      parsed = JSON.parse(res.body);
    } catch {
      throw new EtcdError(`etcd ${this.endpoint}${path}: HTTP ${res.status}: ${res.body.slice(0, 200)}`);
    }
    if (res.status !== 200 || parsed.error || parsed.code) {
      throw new EtcdError(`etcd ${this.endpoint}${path}: ${parsed.error ?? parsed.message ?? `HTTP ${res.status}`}`);
    }
    return parsed as T;
  }

  async health(): Promise<boolean> {
    try {
      const res = await httpsRequest(`${this.endpoint}/health`, { ...this.tls, timeoutMs: this.timeoutMs, agent: this.agent });
      return res.status === 200 && JSON.parse(res.body).health === 'true';
    } catch {
      return false;
    }
  }

  async range(prefix: string): Promise<{ kvs: KeyValue[]; revision: string }> {
    const r = await this.call<{ header: { revision: string }; kvs?: any[] }>('/v3/kv/range', {
      key: b64(prefix),
      range_end: prefixEnd(prefix),
    });
    return { kvs: (r.kvs ?? []).map(toKv), revision: r.header.revision };
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const r = await this.call<{ kvs?: any[] }>('/v3/kv/range', { key: b64(key) });
    return r.kvs?.[0] ? toKv(r.kvs[0]) : undefined;
  }

  async put(key: string, value: string, lease?: string): Promise<void> {
    await this.call('/v3/kv/put', { key: b64(key), value: b64(value), ...(lease ? { lease } : {}) });
  }

  async delete(key: string): Promise<void> {
    await this.call('/v3/kv/deleterange', { key: b64(key) });
  }

  async grant(ttlSeconds: number): Promise<string> {
    return (await this.call<{ ID: string }>('/v3/lease/grant', { TTL: String(ttlSeconds) })).ID;
  }

  /** Remaining TTL in seconds after renewal; 0 when the lease is gone. */
  async keepAlive(id: string): Promise<number> {
    const r = await this.call<{ result?: { TTL?: string } }>('/v3/lease/keepalive', { ID: id });
    return Number(r.result?.TTL ?? 0);
  }

  async memberList(): Promise<Member[]> {
    const r = await this.call<{ members?: any[] }>('/v3/cluster/member/list', {});
    return (r.members ?? []).map(toMember);
  }

  /**
   * etcd answers an add at once, or holds it while an earlier membership change settles:
   * `timeoutMs` lets a joiner ask again sooner than the client's usual timeout; an add that went
   * through anyway shows in memberList. A learner add is refused while another learner exists.
   */
  async memberAdd(peerURL: string, opts: { learner?: boolean; timeoutMs?: number } = {}): Promise<{ added: Member; members: Member[] }> {
    const r = await this.call<{ member: any; members: any[] }>('/v3/cluster/member/add', { peerURLs: [peerURL], ...(opts.learner ? { isLearner: true } : {}) }, opts.timeoutMs);
    return { added: toMember(r.member), members: r.members.map(toMember) };
  }

  /** etcd refuses it until the learner has caught up with the leader's log. */
  async memberPromote(id: string): Promise<void> {
    await this.call('/v3/cluster/member/promote', { ID: id });
  }

  async memberRemove(id: string): Promise<void> {
    await this.call('/v3/cluster/member/remove', { ID: id });
  }

  async status(): Promise<MemberStatus> {
    const r = await this.call<{ header: { member_id: string }; leader?: string; isLearner?: boolean; raftAppliedIndex?: string }>('/v3/maintenance/status', {});
    return { memberId: String(r.header.member_id), leader: String(r.leader ?? '0'), isLearner: r.isLearner === true, raftAppliedIndex: Number(r.raftAppliedIndex ?? 0) };
  }
}

function toKv(kv: any): KeyValue {
  return { key: unb64(kv.key), value: unb64(kv.value), modRevision: kv.mod_revision, createRevision: kv.create_revision, lease: kv.lease };
}

function toMember(m: any): Member {
  return { id: String(m.ID), name: m.name ?? '', peerURLs: m.peerURLs ?? [], clientURLs: m.clientURLs ?? [], isLearner: m.isLearner === true };
}
