import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { netemArgs, nftLossScript } from '../../harness/lab/faults.ts';
import { isRunId, labNames, newRunId, runIdOfNetns } from '../../harness/lab/names.ts';
import { isAlive, procId } from '../../harness/lab/procs.ts';
import { createRunState, forgetProcess, listRuns, readRun, recordProcess } from '../../harness/lab/state.ts';
import { Teardown } from '../../harness/lab/teardown.ts';
import { writeTftpTree } from '../../harness/services/tftpTree.ts';

describe('lab names', () => {
  it('derives every name from the run id and keeps interface names within 15 characters', () => {
    const id = newRunId();
    expect(isRunId(id)).toBe(true);
    const n = labNames(id);
    expect(n.netns).toBe(`fkl-${id}`);
    expect(n.bridge.length).toBeLessThanOrEqual(15);
    expect(n.tap(99).length).toBeLessThanOrEqual(15);
    expect(n.tap(0)).not.toBe(n.tap(1));
    expect(labNames(newRunId()).bridge).not.toBe(n.bridge);
    expect(runIdOfNetns(n.netns)).toBe(id);
    expect(runIdOfNetns('k3sd-c964-n1')).toBeUndefined();
    expect(() => labNames('../x')).toThrow();
  });
});

describe('teardown', () => {
  it('undoes in reverse order and keeps going after a failure', async () => {
    const t = new Teardown();
    const done: string[] = [];
    t.add('a', () => void done.push('a'));
    t.add('b', () => {
      throw new Error('boom');
    });
    t.add('c', async () => void done.push('c'));
    expect(await t.run()).toEqual(['b: boom']);
    expect(done).toEqual(['c', 'a']);
    expect(await t.run()).toEqual([]);
  });
});

describe('run registry', () => {
  it('records the owner and helper pids with their start times', () => {
    const root = mkdtempSync(join(tmpdir(), 'lab-state-'));
    try {
      const id = newRunId();
      const dir = createRunState(id, root);
      const me = procId(process.pid);
      recordProcess(dir, 'dnsmasq', me);
      const r = readRun(id, root);
      expect(r.owner).toEqual(me);
      expect(r.procs).toEqual([{ name: 'dnsmasq', proc: me }]);
      expect(listRuns(root).map((x) => x.runId)).toEqual([id]);
      forgetProcess(dir, 'dnsmasq');
      expect(readRun(id, root).procs).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('does not mistake a reused pid for the recorded process', () => {
    const me = procId(process.pid);
    expect(isAlive(me)).toBe(true);
    expect(isAlive({ pid: me.pid, startTime: me.startTime + 1 })).toBe(false);
    expect(isAlive({ pid: 2 ** 22 + 1, startTime: 1 })).toBe(false);
  });
});

describe('netem', () => {
  it('builds tc arguments and refuses nonsense', () => {
    expect(netemArgs({ delayMs: 200 })).toEqual(['delay', '200ms']);
    expect(netemArgs({ delayMs: 100, jitterMs: 20, lossPercent: 5 })).toEqual(['delay', '100ms', '20ms', 'loss', '5%']);
    expect(() => netemArgs({})).toThrow(/delay or a loss/);
    expect(() => netemArgs({ lossPercent: 120 })).toThrow(/0–100/);
  });

  it('expresses loss for nftables where netem is missing', () => {
    expect(nftLossScript('lt-0123abcd-0', 12.5)).toContain('hook egress device "lt-0123abcd-0" priority 0; numgen random mod 1000 < 125 drop;');
    expect(nftLossScript('lt-0123abcd-0', 100)).toContain('priority 0; drop;');
    expect(nftLossScript('lt-0123abcd-0', 0)).toContain('priority 0; accept;');
    expect(nftLossScript('lt-0123abcd-0', 5)).toContain('table netdev fault_lt_0123abcd_0 {');
    expect(() => nftLossScript('x', -1)).toThrow();
  });
});

describe('TFTP tree', () => {
  it('lays out pxelinux, ldlinux and pxelinux.cfg/<HEXIP> like the seed', () => {
    const root = mkdtempSync(join(tmpdir(), 'tftp-'));
    try {
      writeTftpTree(root, {
        entries: [{ ip: '10.0.0.70', entry: { kernelUrl: 'http://10.0.0.5:8080/k', initrdUrl: 'http://10.0.0.5:8080/i', kernelArgs: ['flatcar.first_boot=1'] } }],
        ignition: [{ name: 'node-1-ignite-pxe.ign', content: '{}' }],
      });
      expect(existsSync(join(root, 'pxelinux.0'))).toBe(true);
      expect(existsSync(join(root, 'ldlinux.c32'))).toBe(true);
      expect(readFileSync(join(root, 'pxelinux.cfg', '0A000046'), 'utf8')).toContain('append initrd=http://10.0.0.5:8080/i flatcar.first_boot=1');
      expect(readFileSync(join(root, 'ignition', 'node-1-ignite-pxe.ign'), 'utf8')).toBe('{}');
      expect(() => writeTftpTree(root, { entries: [], ignition: [{ name: '../x', content: '' }] })).toThrow(/path/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
