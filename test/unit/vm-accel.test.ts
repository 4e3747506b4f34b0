import { describe, expect, it } from 'vitest';
import { chooseAccel, judgeKvmRun, type BootSectorRun } from '../../harness/vm/accel.ts';
import { kvmProbeBootSector, probeMarker } from '../../harness/vm/kvmProbeImage.ts';

// Booting the image for real (under TCG, and under KVM here) is test/e2e/vm-accel.test.ts.

const run = (r: Partial<BootSectorRun>): BootSectorRun => ({ serial: '', chunks: 0, timedOut: false, stderr: '', imagePath: '/tmp/x', ...r });
const le32At = (b: Uint8Array, i: number) => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;

describe('KVM probe boot sector', () => {
  const sector = kvmProbeBootSector();

  it('is one MBR sector with the boot signature, starting with cli', () => {
    expect(sector.length).toBe(512);
    expect([sector[510], sector[511]]).toEqual([0x55, 0xaa]);
    expect(sector[0]).toBe(0xfa);
  });

  it('far-jumps from each stage into code at the next stage, and carries the marker', () => {
    const text = Buffer.from(sector).toString('latin1');
    // 16-bit "66 EA off32 sel16" into 32-bit code, then 32-bit "EA off32 sel16" into 64-bit code.
    const toProt = text.indexOf('\x66\xea');
    const prot = le32At(sector, toProt + 2) - 0x7c00;
    expect(sector[prot]).toBe(0x66); // mov ax, DATA
    const toLong = text.indexOf('\xea', prot);
    const long = le32At(sector, toLong + 1) - 0x7c00;
    expect(sector[long]).toBe(0x66); // mov dx, 0x3f8
    expect(text).toContain(`${probeMarker}\n\0`);
  });
});

describe('judging a KVM boot of the probe image', () => {
  it('takes KVM when the marker came after a fast loop, and says how fast', () => {
    const c = judgeKvmRun(run({ atBootSector: 300, atLongMode: 301, atMarker: 351, chunks: 100 }));
    expect(c.accel).toBe('kvm');
    expect(c.reason).toMatch(/marker after 0\.4 s; 100 M loop iterations took 50 ms in long mode \(2000 M\/s\): using KVM$/);
  });

  it('refuses a KVM that finished but ran the loop slower than TCG would', () => {
    const c = judgeKvmRun(run({ atBootSector: 300, atLongMode: 301, atMarker: 5301, chunks: 100 }));
    expect(c).toEqual({ accel: 'tcg', reason: expect.stringMatching(/took 5000 ms in long mode \(20 M\/s\), slower than TCG would be: using TCG$/) });
  });

  it('says how far a guest got when no marker came in time (what this host does)', () => {
    const c = judgeKvmRun(run({ atBootSector: 3600, atLongMode: 3601, chunks: 1, timedOut: true }), 6000);
    expect(c.accel).toBe('tcg');
    expect(c.reason).toBe('KVM probe: no marker within 6.0 s: the boot sector reached long mode after 3.6 s but ran only 1 M of 100 M loop iterations (guest code crawls under KVM here): using TCG');
    expect(judgeKvmRun(run({ atBootSector: 900, timedOut: true })).reason).toMatch(/started after 0\.9 s but never reached long mode/);
    expect(judgeKvmRun(run({ timedOut: true })).reason).toMatch(/no marker within 6\.0 s: the firmware never ran the boot sector/);
    expect(judgeKvmRun(run({ atBootSector: 1, atLongMode: 2, chunks: 100, exitCode: 33 })).reason).toMatch(/\(QEMU exited with 33 first\): the boot sector finished its CPU loop but printed no marker/);
  });

  it("names QEMU's own error when it would not start, skipping warnings", () => {
    const stderr = 'qemu-system-x86_64: warning: host doesn\'t support requested feature\nqemu-system-x86_64: -accel kvm: Could not access KVM kernel module: Permission denied\n';
    expect(judgeKvmRun(run({ exitCode: 1, stderr })).reason).toBe(
      'KVM probe: QEMU failed under KVM (exit 1: qemu-system-x86_64: -accel kvm: Could not access KVM kernel module: Permission denied): using TCG',
    );
    expect(judgeKvmRun(run({ stderr: 'spawn qemu-system-x86_64 ENOENT' })).reason).toMatch(/QEMU failed under KVM \(not started: spawn qemu-system-x86_64 ENOENT\)/);
  });
});

describe('chooseAccel', () => {
  it('obeys LAB_ACCEL without probing', async () => {
    await expect(chooseAccel({ LAB_ACCEL: 'tcg' })).resolves.toEqual({ accel: 'tcg', reason: 'LAB_ACCEL' });
    await expect(chooseAccel({ LAB_ACCEL: 'kvm' })).resolves.toEqual({ accel: 'kvm', reason: 'LAB_ACCEL' });
  });
});
