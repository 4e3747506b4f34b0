import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recalledAccel, rememberAccel } from '../../harness/vm/accelMemo.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the KVM probe is remembered for the host boot and QEMU binary it measured', () => {
  it('recalls the choice, and forgets it when QEMU changes', () => {
    const root = mkdtempSync(join(tmpdir(), 'accel-memo-'));
    dirs.push(root);
    const qemu = join(root, 'qemu-system-x86_64');
    writeFileSync(qemu, 'a qemu');
    expect(recalledAccel(qemu, join(root, 'state'))).toBeUndefined();
    rememberAccel(qemu, { accel: 'tcg', reason: 'KVM probe: the boot sector crawled' }, join(root, 'state'));
    expect(recalledAccel(qemu, join(root, 'state'))).toMatchObject({ accel: 'tcg', reason: 'KVM probe: the boot sector crawled' });
    // An upgraded QEMU (another size and mtime) is probed again.
    writeFileSync(qemu, 'a newer qemu');
    utimesSync(qemu, new Date(Date.now() + 5000), new Date(Date.now() + 5000));
    expect(recalledAccel(qemu, join(root, 'state'))).toBeUndefined();
  });
});
