import { describe, expect, it } from 'vitest';
import { listScenarios, loadScenario } from '../../harness/scenario/model.ts';
import { installAndJoin, loadPlan, validatePlan } from '../../harness/scenario/plan.ts';
import type { Steps } from '../../harness/scenario/plan.ts';

describe('scenario plans', () => {
  it('every scenario loads with a valid plan', async () => {
    for (const name of listScenarios()) {
      await loadScenario(name);
      const plan = await loadPlan(name);
      expect(plan.assertions.length, name).toBeGreaterThan(0);
    }
  });
  it('single-node installs and joins; three-node-ha then cuts the whole site\'s power and asserts all four checks', async () => {
    expect(await loadPlan('single-node')).toBe(installAndJoin);
    const main = await loadPlan('three-node-ha');
    expect(main.assertions).toEqual(expect.arrayContaining(['usr-local-bin-read-only', 'k3s-in-opt-bin', 'k3s-install-ran-once', 'all-nodes-joined', 'no-reinstall', 'cluster-recovers']));
    const calls: string[] = [];
    const nodes = (await loadScenario('three-node-ha')).nodes;
    const record = new Proxy({ nodes }, { get: (t, k) => (k === 'nodes' ? nodes : async (...a: unknown[]) => void calls.push(`${String(k)}${a.length ? ` ${JSON.stringify(a)}` : ''}`)) }) as unknown as Steps;
    await main.run(record);
    expect(calls[0]).toBe('bootAll');
    expect(calls[1]).toBe('waitForPhase ["joined"]');
    expect(calls.slice(-2)).toEqual(['powerOutage [{"offMs":10000}]', 'waitForRecovery']);
    expect((await loadPlan('reboot-idempotency')).assertions).toContain('k3s-install-ran-once');
    expect((await loadScenario('reboot-idempotency')).nodes.map((n) => n.name)).toEqual(['node-1', 'node-2', 'node-3']);
  });
  it('rejects an unknown assertion name, naming the file', () => {
    expect(() => validatePlan({ assertions: ['all-nodes-joind'], run: async () => undefined }, 'scenarios/x.ts')).toThrow("scenarios/x.ts: plan.assertions: unknown assertion 'all-nodes-joind'");
    expect(() => validatePlan({ assertions: [] }, 'scenarios/x.ts')).toThrow('must have a run(steps) function');
  });
  it('the steps a plan runs are recorded in order (reboot-idempotency: 2 rounds × 3 nodes)', async () => {
    const calls: string[] = [];
    const steps = {
      nodes: (await loadScenario('reboot-idempotency')).nodes,
      bootAll: async () => void calls.push('boot'),
      waitForPhase: async (p: string) => void calls.push(`wait ${p}`),
      reboot: async (n: string) => void calls.push(`reboot ${n}`),
      powerCut: async (n: string) => void calls.push(`cut ${n}`),
      powerButton: async (n: string) => void calls.push(`button ${n}`),
      waitForClusterHealthy: async () => void calls.push('healthy'),
      giveClusterTime: async () => void calls.push('settle'),
      waitForConsole: async () => void calls.push('console'),
    };
    // Fault steps this plan does not use are recorded by name too.
    const all = new Proxy(steps, { get: (t, k) => (k in t ? t[k as keyof typeof t] : async () => void calls.push(String(k))) }) as unknown as Steps;
    await (await loadPlan('reboot-idempotency')).run(all);
    expect(calls.filter((c) => c.startsWith('reboot'))).toEqual(['reboot node-1', 'reboot node-2', 'reboot node-3', 'reboot node-1', 'reboot node-2', 'reboot node-3']);
    expect(calls.slice(0, 2)).toEqual(['boot', 'wait joined']);
  });
});
