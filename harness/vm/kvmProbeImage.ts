/**
 * The KVM probe's guest: one 512-byte MBR boot sector, hand-assembled, that needs nothing but
 * QEMU and its SeaBIOS. It goes real mode → 32-bit protected mode → 64-bit long mode with paging
 * (the road a Linux kernel takes before its first console line), then spins a CPU loop of
 * 100 × 1 M iterations, printing a dot per million, and finally prints "KVMOK" to COM1 and exits
 * QEMU through isa-debug-exit. The loop is the point: on hosts where /dev/kvm exists but guest
 * code crawls (measured here: firmware and mode switches work, then ~0.5 M iterations/s against
 * TCG's ~400 M/s, so a Linux kernel seems to hang while decompressing), "QEMU started" or
 * "reached long mode" would be a false yes; finishing the loop within seconds is not.
 *
 * Progress letters on COM1: R (boot sector running), P (protected mode), L (long mode), one
 * '.' per million loop iterations, then the marker. SeaBIOS itself writes nothing to COM1.
 */

export const probeMarker = 'KVMOK';
export const loopChunks = 100;
export const loopChunkIterations = 1_000_000;
/** SeaBIOS won't read a disk smaller than one 16-head × 63-sector cylinder (252 KiB failed, 504 KiB booted): pad the image. */
export const probeDiskBytes = 1024 * 1024;

const LOAD = 0x7c00; // SeaBIOS loads the MBR at 0000:7C00 and jumps there in real mode
// Each stage has a fixed slot, so far jumps name constant addresses; build() checks nothing overflows.
const REAL = 0x00;
const PROT = 0x40;
const LONG = 0xc0;
const GDT = 0x100;
const GDTR = 0x120;
const MARK = 0x130;
const CODE32 = 0x08; // GDT selectors
const DATA = 0x10;
const CODE64 = 0x18;
const COM1 = 0x3f8;
const PML4 = 0x1000; // page tables in free low memory (the BIOS is never called again)
const PDPT = 0x2000;
const PD = 0x3000;
const ALIAS = 0x200000; // PD[1] maps virtual 2 MiB onto physical 0 as well

const le16 = (n: number) => [n & 0xff, (n >>> 8) & 0xff];
const le32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
const ch = (s: string) => s.charCodeAt(0);

const real = [
  0xfa, //                                  cli: no BIOS interrupts from here on
  0x31, 0xc0, //                            xor ax, ax
  0x8e, 0xd8, //                            mov ds, ax (lgdt reads DS:GDTR)
  0x8e, 0xd0, //                            mov ss, ax
  0xbc, ...le16(LOAD), //                   mov sp, 0x7c00
  0xba, ...le16(COM1), //                   mov dx, 0x3f8
  0xb0, ch('R'), //                         mov al, 'R'
  0xee, //                                  out dx, al: the firmware ran us
  0xe4, 0x92, //                            in al, 0x92 (fast A20 gate)
  0x0c, 0x02, //                            or al, 2: A20 on
  0x24, 0xfe, //                            and al, 0xfe: bit 0 would reset the machine
  0xe6, 0x92, //                            out 0x92, al
  0x66, 0x0f, 0x01, 0x16, ...le16(LOAD + GDTR), // lgdt dword [GDTR]
  0x0f, 0x20, 0xc0, //                      mov eax, cr0
  0x0c, 0x01, //                            or al, 1: CR0.PE
  0x0f, 0x22, 0xc0, //                      mov cr0, eax
  0x66, 0xea, ...le32(LOAD + PROT), ...le16(CODE32), // jmp dword CODE32:PROT
];

const prot = [
  0x66, 0xb8, ...le16(DATA), //             mov ax, DATA
  0x8e, 0xd8, //                            mov ds, ax
  0x8e, 0xc0, //                            mov es, ax (rep stosd writes through ES)
  0x8e, 0xd0, //                            mov ss, ax
  0xbc, ...le32(LOAD), //                   mov esp, 0x7c00
  0x66, 0xba, ...le16(COM1), //             mov dx, 0x3f8
  0xb0, ch('P'), //                         mov al, 'P'
  0xee, //                                  out dx, al: protected mode
  0xfc, //                                  cld
  0xbf, ...le32(PML4), //                   mov edi, PML4
  0x31, 0xc0, //                            xor eax, eax
  0xb9, ...le32((3 * 4096) / 4), //         mov ecx, 3 pages of dwords
  0xf3, 0xab, //                            rep stosd: zero PML4, PDPT, PD
  0xc7, 0x05, ...le32(PML4), ...le32(PDPT | 3), // mov dword [PML4], PDPT | present | writable
  0xc7, 0x05, ...le32(PDPT), ...le32(PD | 3), //   mov dword [PDPT], PD | present | writable
  0xc7, 0x05, ...le32(PD), ...le32(0x83), //       mov dword [PD], 2 MiB page at 0 (PS|RW|P): identity
  0xc7, 0x05, ...le32(PD + 8), ...le32(0x83), //   mov dword [PD+8], physical 0 again at ALIAS
  0x0f, 0x20, 0xe0, //                      mov eax, cr4
  0x83, 0xc8, 0x20, //                      or eax, 0x20: CR4.PAE
  0x0f, 0x22, 0xe0, //                      mov cr4, eax
  0xb8, ...le32(PML4), //                   mov eax, PML4
  0x0f, 0x22, 0xd8, //                      mov cr3, eax
  0xb9, ...le32(0xc0000080), //             mov ecx, IA32_EFER
  0x0f, 0x32, //                            rdmsr
  0x0d, ...le32(0x100), //                  or eax, EFER.LME
  0x0f, 0x30, //                            wrmsr
  0x0f, 0x20, 0xc0, //                      mov eax, cr0
  0x0d, ...le32(0x80000000), //             or eax, CR0.PG
  0x0f, 0x22, 0xc0, //                      mov cr0, eax: paging + LME = long mode
  0xea, ...le32(LOAD + LONG), ...le16(CODE64), // jmp CODE64:LONG
];

const long = [
  0x66, 0xba, ...le16(COM1), //             mov dx, 0x3f8
  0xb0, ch('L'), //                         mov al, 'L'
  0xee, //                                  out dx, al: long mode
  0xbb, ...le32(loopChunks), //             mov ebx, chunks
  0xb9, ...le32(loopChunkIterations), //    chunk: mov ecx, iterations
  0xff, 0xc9, //                            spin: dec ecx
  0x75, 0xfc, //                            jnz spin
  0xb0, ch('.'), //                         mov al, '.'
  0xee, //                                  out dx, al: one chunk done (the host times these)
  0xff, 0xcb, //                            dec ebx
  0x75, 0xf0, //                            jnz chunk
  0xbe, ...le32(ALIAS + LOAD + MARK), //    mov esi, marker via the alias: right only if paging translates
  0xac, //                                  print: lodsb
  0x84, 0xc0, //                            test al, al
  0x74, 0x03, //                            jz exit
  0xee, //                                  out dx, al
  0xeb, 0xf8, //                            jmp print
  0xb0, 0x10, //                            exit: mov al, 0x10
  0xe6, 0xf4, //                            out 0xf4, al: isa-debug-exit, QEMU exits with (0x10<<1)|1 = 33
  0xfa, //                                  halt: cli (no exit device: stop here)
  0xf4, //                                  hlt
  0xeb, 0xfc, //                            jmp halt
];

const gdt = [
  0, 0, 0, 0, 0, 0, 0, 0, //                null descriptor
  0xff, 0xff, 0, 0, 0, 0x9a, 0xcf, 0x00, // CODE32: base 0, limit 4 GiB, 32-bit, execute/read
  0xff, 0xff, 0, 0, 0, 0x92, 0xcf, 0x00, // DATA: base 0, limit 4 GiB, read/write
  0xff, 0xff, 0, 0, 0, 0x9a, 0xaf, 0x00, // CODE64: L=1, D=0
];

const gdtr = [...le16(gdt.length - 1), ...le32(LOAD + GDT)];
const marker = [...Buffer.from(`${probeMarker}\n`, 'latin1'), 0];

/** The boot sector: 512 bytes ending in the 0x55AA signature. */
export function kvmProbeBootSector(): Uint8Array {
  const sector = new Uint8Array(512);
  const parts: [number, number[], number][] = [
    [REAL, real, PROT], [PROT, prot, LONG], [LONG, long, GDT], [GDT, gdt, GDTR], [GDTR, gdtr, MARK], [MARK, marker, 0x1be],
  ];
  for (const [at, bytes, end] of parts) {
    if (at + bytes.length > end) throw new Error(`boot sector part at 0x${at.toString(16)} overflows into 0x${end.toString(16)}`);
    sector.set(bytes, at);
  }
  sector.set([0x55, 0xaa], 510);
  return sector;
}
