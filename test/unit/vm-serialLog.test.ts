import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { plainText, SerialLog } from '../../harness/vm/serialLog.ts';
import { probeKvm } from '../../harness/vm/accel.ts';

const dir = mkdtempSync(join(tmpdir(), 'serial-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('serial console log', () => {
  it('strips colour and cursor sequences and carriage returns', () => {
    expect(plainText('\x1b[0;32m  OK  \x1b[0m] Reached\r\n\x1b[?2004hcore@vm')).toBe('  OK  ] Reached\ncore@vm');
  });

  it('yields whole lines as QEMU appends them, keeping a partial line until it ends', () => {
    const f = join(dir, 'a.log');
    writeFileSync(f, 'one\ntw');
    const log = new SerialLog(f);
    expect(log.poll()).toEqual(['one']);
    appendFileSync(f, 'o\nthree');
    expect(log.poll()).toEqual(['two']);
    expect(log.text()).toBe('one\ntwo\nthree');
  });

  it('waitFor finds a line written later, and a timeout error names what was awaited and the last lines', async () => {
    const f = join(dir, 'b.log');
    writeFileSync(f, 'booting\n');
    const log = new SerialLog(f);
    setTimeout(() => appendFileSync(f, 'LAB-MARK 42\n'), 300);
    const m = await log.waitFor(/LAB-MARK (\d+)/, { timeoutMs: 5000, what: 'the mark' });
    expect(m[1]).toBe('42');
    await expect(log.waitFor(/never/, { timeoutMs: 300, what: 'a line that never comes' })).rejects.toThrow(
      /timed out after 0 s waiting for a line that never comes; last console lines:\nbooting\nLAB-MARK 42/,
    );
  });

  it('waitFor stops early when told why (e.g. QEMU exited)', async () => {
    const log = new SerialLog(join(dir, 'missing.log'));
    await expect(log.waitFor(/x/, { timeoutMs: 5000, what: 'x', stopIf: () => 'QEMU exited (code 1)' })).rejects.toThrow(/^x: QEMU exited \(code 1\) before it was seen/);
  });
});

describe('KVM probe', () => {
  it('falls back to TCG with a reason when there is no kernel to probe with', async () => {
    const choice = await probeKvm(undefined);
    expect(choice.accel).toBe('tcg');
    expect(choice.reason).toMatch(/\/dev\/kvm not usable|no Linux kernel to probe KVM with/);
  });
});
