/**
 * The partition table of a disk, read from its first sectors (UEFI spec, "GUID Partition Table
 * (GPT) Disk Layout": the header at LBA 1, then an array of entries, each with its first and last
 * LBA and a UTF-16LE name). Flatcar names its partitions (EFI-SYSTEM, USR-A, OEM, ROOT, …), and
 * so does the lab OS: a partition is found by its name, as flatcar-install finds OEM.
 */
export const sectorBytes = 512;

export interface GptPartition {
  /** 1-based, as the kernel numbers them (sda6). */
  number: number;
  name: string;
  firstLba: number;
  lastLba: number;
}

/** How many bytes from the start hold the header and a standard 128-entry array. */
export const gptHeadBytes = 34 * sectorBytes;

export function readGpt(head: Buffer): GptPartition[] {
  const header = head.subarray(sectorBytes, 2 * sectorBytes);
  if (header.length < 92 || header.toString('latin1', 0, 8) !== 'EFI PART') throw new Error('no GPT header at LBA 1');
  const entriesLba = Number(header.readBigUInt64LE(72));
  const count = header.readUInt32LE(80);
  const size = header.readUInt32LE(84);
  if (size < 128) throw new Error(`GPT entry size ${size} is below the spec's 128 bytes`);
  const out: GptPartition[] = [];
  for (let i = 0; i < count; i++) {
    const at = entriesLba * sectorBytes + i * size;
    if (at + size > head.length) throw new Error(`GPT entry ${i + 1} lies past the ${head.length} bytes read`);
    const entry = head.subarray(at, at + size);
    // An all-zero type GUID marks an unused entry.
    if (entry.subarray(0, 16).every((b) => b === 0)) continue;
    const name = entry.toString('utf16le', 56, 128).replace(/\0.*$/s, '');
    out.push({ number: i + 1, name, firstLba: Number(entry.readBigUInt64LE(32)), lastLba: Number(entry.readBigUInt64LE(40)) });
  }
  return out;
}
