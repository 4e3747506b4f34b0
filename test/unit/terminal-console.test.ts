import { describe, expect, it } from 'vitest';
import { consoleUnitFailure } from '../../harness/scenario/terminal/consoleVerdicts.ts';
import { flowUnits } from '../../harness/scenario/terminal/flowUnits.ts';
import { consoleGraceMs, TerminalEvents } from '../../harness/scenario/terminal/registry.ts';
import type { TerminalEvent } from '../../harness/scenario/terminal/terminalEvent.ts';

// As the lab OS's (systemd 252) console printed it in a #13712 run.
const failedLine = '[FAILED] Failed to start k3s-install.service - Run K3s script.';

describe('terminal events from the console', () => {
  it("systemd's [FAILED] status line for a oneshot flow unit is terminal; a restarting one's is not", () => {
    const units = flowUnits([]);
    expect(consoleUnitFailure('node-1', 2, failedLine, units)).toMatchObject({ unit: 'k3s-install.service', reason: 'failed', source: 'console', lines: [failedLine] });
    expect(consoleUnitFailure('node-1', 2, '[FAILED] Failed to start k3s.service - Lightweight Kubernetes.', units)).toBeUndefined();
    expect(consoleUnitFailure('node-1', 2, '[FAILED] Failed to start systemd-pstore.service - Platform Persistent Storage Archival.', units)).toBeUndefined();
    expect(consoleUnitFailure('node-1', 2, '[  OK  ] Started k3s-install.service - Run K3s script.', units)).toBeUndefined();
  });

  it("the console's word waits for the journal's account of the same unit, which replaces it", async () => {
    const reg = new TerminalEvents();
    const seen: TerminalEvent[] = [];
    reg.subscribe((e) => seen.push(e));
    reg.report(consoleUnitFailure('node-1', 2, failedLine, flowUnits([]))!);
    expect(reg.of('node-1')).toBeUndefined();
    reg.report({ node: 'node-1', boot: 2, at: 1, unit: 'k3s-install.service', reason: 'failed', lines: ['[ERROR]  Failed to find the k3s-selinux policy, please install:'], source: 'journal' });
    await new Promise((r) => setTimeout(r, consoleGraceMs + 100));
    expect(seen.map((e) => e.source)).toEqual(['journal']);
  });

  it('without a journal stream the console event stands after its grace; the first event is the cause', async () => {
    const reg = new TerminalEvents();
    reg.report(consoleUnitFailure('node-2', 2, failedLine, flowUnits([]))!);
    reg.report({ node: 'node-1', boot: 1, at: 2, reason: 'kernel panic on the console', lines: ['Kernel panic - not syncing: VFS'], source: 'console' });
    expect(reg.first()?.node).toBe('node-1');
    await new Promise((r) => setTimeout(r, consoleGraceMs + 100));
    expect(reg.all().map((e) => e.node)).toEqual(['node-1', 'node-2']);
    expect(reg.of('node-2')?.source).toBe('console');
  });
});
