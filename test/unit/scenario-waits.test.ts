import { createServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { NodeConsole } from '../../harness/guest/console.ts';
import { PhaseTracker } from '../../harness/scenario/phaseTracker.ts';
import { badConsoleEvent } from '../../harness/scenario/terminal/consoleVerdicts.ts';
import { timeoutScale } from '../../harness/scenario/timeoutScale.ts';
import { NodeFailed, WaitTimeout, consoleLine, http200, phaseReached, portOpen, waitFor, waitForAll, type WaitEnv } from '../../harness/scenario/waits.ts';

function envFor(tracker: PhaseTracker, consoles: Record<string, NodeConsole>, scale = 1): WaitEnv {
  return {
    scale,
    phaseOf: (n) => tracker.phaseOf(n),
    consoleTail: (n, k) => consoles[n]?.tail(k) ?? [],
    failureOf: (n) => {
      const f = consoles[n]?.failure;
      return f && badConsoleEvent(n, f);
    },
  };
}

describe('waits', () => {
  it('a phase wait resolves when the tracker reaches the phase', async () => {
    const tracker = new PhaseTracker(['node-1']);
    const env = envFor(tracker, {});
    setTimeout(() => tracker.observe({ at: 1, node: 'node-1', source: 'api', kind: 'x', detail: 'x', phase: 'joined' }), 100);
    await expect(waitFor(phaseReached(tracker, 'node-1', 'k3s-ready', 5000), env)).resolves.toBe('k3s-ready');
  });

  it('a timeout names the node, its phase, what it waited for and the last 30 console lines', async () => {
    const tracker = new PhaseTracker(['node-2']);
    tracker.observe({ at: 1, node: 'node-2', source: 'dhcp', kind: 'x', detail: 'x', phase: 'installing' });
    const con = new NodeConsole('node-2');
    for (let i = 1; i <= 40; i++) con.push(`line ${i}`);
    const started = Date.now();
    const err = await waitFor(phaseReached(tracker, 'node-2', 'k3s-ready', 200), envFor(tracker, { 'node-2': con }, 2)).catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390); // 200 ms base × scale 2
    expect(err).toBeInstanceOf(WaitTimeout);
    const msg = (err as Error).message;
    expect(msg.split('\n')[0]).toBe('node-2 (reached: installing): timed out after 400 ms waiting for phase k3s-ready');
    expect(msg).toContain('last 30 console lines of node-2');
    expect(msg).toContain('line 40');
    expect(msg).toContain('line 11');
    expect(msg).not.toContain('line 10\n');
  });

  it('a bad console line fails a wait on that node at once, quoting the lines', async () => {
    const tracker = new PhaseTracker(['node-1']);
    const con = new NodeConsole('node-1');
    con.push('[    4.1] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)');
    con.push('[    4.1] CPU: 0 PID: 1 Comm: swapper/0');
    await new Promise((r) => setTimeout(r, 350));
    const started = Date.now();
    const err = await waitFor(phaseReached(tracker, 'node-1', 'live', 60_000), envFor(tracker, { 'node-1': con })).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(err).toBeInstanceOf(NodeFailed);
    expect((err as Error).message.split('\n')[0]).toBe('node-1 boot 0: kernel panic on the console: [    4.1] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0) (reached: nothing yet; was waiting for phase live)');
    expect((err as Error).message).toContain('Unable to mount root fs');
    expect((err as Error).message).toContain('CPU: 0 PID: 1');
  });

  it('a console wait finds a line in a later boot only', async () => {
    const tracker = new PhaseTracker(['node-1']);
    const con = new NodeConsole('node-1');
    con.push('Started k3s.service');
    const env = envFor(tracker, { 'node-1': con });
    await expect(waitFor(consoleLine(con, /Started k3s/, 100, { sinceBoot: 1 }), env)).rejects.toThrow(/waiting for console line/);
  });

  it('port and HTTP waits see a server come up', async () => {
    const tracker = new PhaseTracker([]);
    const env = envFor(tracker, {});
    const tcp = createTcpServer((s) => s.end());
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    const port = (tcp.address() as AddressInfo).port;
    await expect(waitFor(portOpen('127.0.0.1', port, 3000), env)).resolves.toBe(true);
    tcp.close();
    let status = 503;
    const http = createServer((_req, res) => res.writeHead(status).end());
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/readyz`;
    setTimeout(() => (status = 200), 600);
    await expect(waitFor(http200(url, 5000), env)).resolves.toBe(true);
    http.close();
    await expect(waitFor(portOpen('127.0.0.1', port, 300), env)).rejects.toThrow(/port 127.0.0.1:\d+ to accept connections/);
  });

  it('waitForAll fails with the first failing wait', async () => {
    const tracker = new PhaseTracker(['a', 'b']);
    tracker.observe({ at: 1, node: 'a', source: 'api', kind: 'x', detail: 'x', phase: 'joined' });
    const env = envFor(tracker, {});
    await expect(waitForAll([phaseReached(tracker, 'a', 'joined', 300), phaseReached(tracker, 'b', 'joined', 300)], env)).rejects.toThrow(/^b \(reached: nothing yet\)/);
  });
});

describe('timeoutScale', () => {
  it('scales TCG above KVM and with VMs beyond the cores; the flag wins', () => {
    expect(timeoutScale({ accel: 'tcg', concurrentVms: 1, hostCpus: 2 })).toBe(1);
    expect(timeoutScale({ accel: 'kvm', concurrentVms: 1, hostCpus: 2 })).toBe(0.5);
    expect(timeoutScale({ accel: 'tcg', concurrentVms: 3, hostCpus: 2 })).toBeGreaterThan(1.5);
    expect(timeoutScale({ accel: 'tcg', concurrentVms: 3, hostCpus: 2, override: 4 })).toBe(4);
  });
});
