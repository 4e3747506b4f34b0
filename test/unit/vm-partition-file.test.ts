import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGpt } from '../../harness/vm/gpt.ts';
import { diskFromInstall } from '../../harness/vm/disk.ts';
import { partitionOf, readPartitionFile, writePartitionFile } from '../../harness/vm/partitionFile.ts';

// A small disk laid out as Flatcar's is where it matters here: named GPT partitions, an ext4 OEM
// (partition 6) holding a config.ign, and a vfat EFI-SYSTEM, built with the same tools the lab OS uses.
const dir = mkdtempSync(join(tmpdir(), 'fkl-partfile-'));
const raw = join(dir, 'disk.raw');
const installed = join(dir, 'installed.qcow2');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  await execa('truncate', ['-s', '40M', raw]);
  await execa('sgdisk', ['-o', '-n', '1:2048:22527', '-t', '1:ef00', '-c', '1:EFI-SYSTEM', '-n', '6:22528:55295', '-t', '6:8300', '-c', '6:OEM', raw]);
  await execa('mkfs.vfat', ['-C', join(dir, 'efi.img'), '10240']);
  await execa('sh', ['-c', `mkdir -p ${dir}/oem && echo '{"old":true}' >${dir}/oem/config.ign && mkfs.ext4 -q -F -L OEM -d ${dir}/oem ${dir}/oem.img 16M`]);
  await execa('dd', [`if=${dir}/efi.img`, `of=${raw}`, 'bs=512', 'seek=2048', 'conv=notrunc', 'status=none']);
  await execa('dd', [`if=${dir}/oem.img`, `of=${raw}`, 'bs=512', 'seek=22528', 'conv=notrunc', 'status=none']);
  await execa('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, installed]);
}, 60_000);

describe('readGpt', () => {
  it('finds each partition by its name, number and LBAs', () => {
    const parts = readGpt(readFileSync(raw).subarray(0, 34 * 512));
    expect(parts).toEqual([
      { number: 1, name: 'EFI-SYSTEM', firstLba: 2048, lastLba: 22527 },
      { number: 6, name: 'OEM', firstLba: 22528, lastLba: 55295 },
    ]);
  });

  it('refuses bytes without a GPT header', () => {
    expect(() => readGpt(Buffer.alloc(34 * 512))).toThrow(/no GPT header/);
  });
});

describe('partition files in a qcow2 disk', () => {
  it('reads a partition from the qcow2 and a file in it', async () => {
    expect(await partitionOf(installed, 'OEM')).toMatchObject({ number: 6, firstLba: 22528 });
    expect(await readPartitionFile(installed, 'OEM', 'config.ign')).toBe('{"old":true}\n');
    expect(await readPartitionFile(installed, 'OEM', 'absent.ign')).toBeUndefined();
  });

  it('an overlay gets the new config.ign (root, 0600); the installed disk under it keeps the old one', async () => {
    const overlay = join(dir, 'node.qcow2');
    const config = '{"ignition":{"version":"3.3.0"}}';
    await diskFromInstall(overlay, 1, installed, config);
    expect(await readPartitionFile(overlay, 'OEM', 'config.ign')).toBe(config);
    expect(await readPartitionFile(installed, 'OEM', 'config.ign')).toBe('{"old":true}\n');
    const info = JSON.parse((await execa('qemu-img', ['info', '--output=json', overlay])).stdout) as { 'backing-filename'?: string };
    expect(info['backing-filename']).toBe(installed);
    // The inode as the guest sees it: what flatcar-install's `install -m 0600` would leave.
    const part = join(dir, 'oem-back.raw');
    await execa('qemu-img', ['dd', '-f', 'qcow2', '-O', 'raw', 'bs=512', 'skip=22528', 'count=55296', `if=${overlay}`, `of=${part}`]);
    const stat = (await execa('debugfs', ['-R', 'stat config.ign', part])).stdout;
    expect(stat).toMatch(/Mode:\s+0600/);
    expect(stat).toMatch(/User:\s+0\s+Group:\s+0/);
  });

  it('refuses a partition that is not ext2/3/4, and a name the disk does not have, by name', async () => {
    await expect(writePartitionFile(installed, 'EFI-SYSTEM', 'config.ign', '{}')).rejects.toThrow(/EFI-SYSTEM partition holds vfat filesystem; the lab writes files into ext2\/3\/4 only/);
    await expect(writePartitionFile(installed, 'ROOT', 'config.ign', '{}')).rejects.toThrow(/has no partition named ROOT \(it has EFI-SYSTEM, OEM\)/);
  });
});
