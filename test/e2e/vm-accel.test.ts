import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chooseAccel, judgeKvmRun, kvmProbeTimeoutMs, probeKvmBootSector, resetAccelProbe, runBootSector } from '../../harness/vm/accel.ts';
import { kvmProbeBootSector, probeMarker } from '../../harness/vm/kvmProbeImage.ts';

// The probe image booted for real. Under TCG it must print its marker: that proves the
// hand-assembled code is right, so a missing marker under KVM is KVM's fault, not the image's.

/** The probe image with one byte sequence replaced (it must occur exactly once). */
function patched(find: number[], replace: number[]): Uint8Array {
  const img = kvmProbeBootSector();
  const text = Buffer.from(img).toString('latin1');
  const needle = Buffer.from(find).toString('latin1');
  const at = text.indexOf(needle);
  expect(at).toBeGreaterThan(0);
  expect(text.indexOf(needle, at + 1)).toBe(-1);
  img.set(replace, at);
  return img;
}

/** No process still runs with this image on its command line. */
function noQemuUsing(imagePath: string): boolean {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).every((p) => {
    try {
      return !readFileSync(`/proc/${p}/cmdline`, 'latin1').includes(imagePath);
    } catch {
      return true;
    }
  });
}

describe('KVM probe image on a real QEMU', () => {
  it('under TCG goes real → protected → long mode, runs its loop and prints the marker; QEMU is gone and the image removed', async () => {
    const r = await runBootSector('tcg', { timeoutMs: 20_000 });
    console.log(`[vm-accel] TCG: boot sector after ${r.atBootSector?.toFixed(0)} ms, long mode ${r.atLongMode?.toFixed(0)} ms, marker ${r.atMarker?.toFixed(0)} ms`);
    expect(r.serial).toBe(`RPL${'.'.repeat(100)}${probeMarker}\n`);
    expect(r.chunks).toBe(100);
    expect(r.timedOut).toBe(false);
    expect(judgeKvmRun(r).accel).toBe('kvm'); // what the probe would conclude had this been KVM
    expect(existsSync(r.imagePath)).toBe(false);
    expect(noQemuUsing(r.imagePath)).toBe(true);
  });

  it('an image whose marker loop does not write (out dx,al → nop) yields TCG', async () => {
    const img = patched([0xac, 0x84, 0xc0, 0x74, 0x03, 0xee], [0xac, 0x84, 0xc0, 0x74, 0x03, 0x90]);
    const r = await runBootSector('tcg', { image: img, timeoutMs: 20_000 });
    expect(r.serial).toBe(`RPL${'.'.repeat(100)}`);
    const c = judgeKvmRun(r);
    expect(c.accel).toBe('tcg');
    expect(c.reason).toMatch(/no marker \(QEMU exited with 33 first\): the boot sector finished its CPU loop but printed no marker/);
  });

  it('a guest still looping at the deadline is SIGKILLed, reported with how far it got, and its image removed', async () => {
    const img = patched([0xb9, 0x40, 0x42, 0x0f, 0x00], [0xb9, 0xff, 0xff, 0xff, 0x7f]); // mov ecx, 2^31-1: seconds per chunk even under TCG
    const r = await runBootSector('tcg', { image: img, timeoutMs: 2_000 });
    expect(r.timedOut).toBe(true);
    expect(r.atLongMode).toBeDefined();
    expect(judgeKvmRun(r, 2_000).reason).toMatch(/^KVM probe: no marker within 2\.0 s: the boot sector reached long mode after \d\.\d s but ran only 0 M of 100 M/);
    expect(existsSync(r.imagePath)).toBe(false);
    expect(noQemuUsing(r.imagePath)).toBe(true);
  });

  it('without the 0x55AA signature the firmware never runs it', async () => {
    const img = kvmProbeBootSector();
    img.set([0, 0], 510);
    const r = await runBootSector('tcg', { image: img, timeoutMs: 2_000 });
    expect(r.serial).toBe('');
    expect(judgeKvmRun(r, 2_000).reason).toBe('KVM probe: no marker within 2.0 s: the firmware never ran the boot sector: using TCG');
  });
});

describe('the KVM probe on this host', () => {
  it('answers within its deadline and says what it saw', async () => {
    const started = performance.now();
    const c = await probeKvmBootSector();
    const took = performance.now() - started;
    console.log(`[vm-accel] KVM probe (${(took / 1000).toFixed(1)} s): ${c.accel}: ${c.reason}`);
    expect(took).toBeLessThan(kvmProbeTimeoutMs + 3_000);
    if (c.accel === 'kvm') expect(c.reason).toMatch(/printed its marker/);
    else expect(c.reason).toMatch(/^KVM probe: |^\/dev\/kvm not usable/);
  });

  it('LAB_PROBE_KERNEL still selects the kernel probe (a missing kernel means TCG)', async () => {
    resetAccelProbe();
    try {
      const c = await chooseAccel({ LAB_PROBE_KERNEL: '/nonexistent/vmlinuz' });
      expect(c.accel).toBe('tcg');
      expect(c.reason).toMatch(/failed to start QEMU|\/dev\/kvm not usable/);
    } finally {
      resetAccelProbe();
    }
  });
});
