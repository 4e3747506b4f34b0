import { describe, expect, it } from 'vitest';
import { Progress } from '../../harness/report/progress.ts';
import { PhaseTracker } from '../../harness/scenario/phaseTracker.ts';

describe('live progress', () => {
  it('prints plain lines when not a TTY', () => {
    const tracker = new PhaseTracker(['node-1', 'node-2']);
    let out = '';
    const p = new Progress(tracker, { write: (t) => (out += t), isTTY: false }, { start: 0, now: () => 75_000 });
    p.note('step: boot all nodes');
    tracker.observe({ at: 9_000, node: 'node-1', source: 'dhcp', kind: 'dhcp-ack', detail: 'DHCPACK 10.0.0.70', phase: 'dhcp' });
    p.stop();
    expect(out).toBe('[ 1 min 15 s] step: boot all nodes\n[        9 s] node-1 → dhcp (DHCPACK 10.0.0.70)\n');
    expect(out).not.toContain('\x1b');
  });
  it('redraws one line per node in place on a TTY', () => {
    const tracker = new PhaseTracker(['node-1', 'node-22']);
    let out = '';
    let now = 5_000;
    const p = new Progress(tracker, { write: (t) => (out += t), isTTY: true }, { start: 0, now: () => now });
    p.redraw();
    now = 125_000;
    tracker.observe({ at: now, node: 'node-22', source: 'http', kind: 'http-get', detail: 'x', phase: 'installing' });
    p.setStatus('node-1', 'boot 2');
    expect(p.lines()).toEqual(['  node-1   waiting      2 min 05 s  boot 2', '  node-22  installing   2 min 05 s']);
    expect(out).toContain('\x1b[2A\x1b[J');
    p.stop();
  });
});
