import { execa } from 'execa';
import { chmodSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabError } from '../errors.ts';
import { ownedTempDir } from '../lab/tempDirs.ts';
import { gptHeadBytes, readGpt, sectorBytes, type GptPartition } from './gpt.ts';

/**
 * One file in one partition of a qcow2 disk, written while no VM runs it: the partition's bytes
 * are copied out (qemu-img dd), the file is replaced in them with debugfs (e2fsprogs; no mount,
 * so it works unprivileged), read back to check, and the bytes written back at the partition's
 * offset (qemu-io). On an overlay only the partition's clusters change. ext2/3/4 only: a real
 * Flatcar's OEM partition may be btrfs, which debugfs cannot write — that is refused by name.
 */
export async function partitionOf(disk: string, name: string): Promise<GptPartition> {
  const dir = ownedTempDir('gpt');
  try {
    const head = join(dir, 'head.raw');
    await execa('qemu-img', ['dd', '-f', 'qcow2', '-O', 'raw', `bs=${sectorBytes}`, `count=${gptHeadBytes / sectorBytes}`, `if=${disk}`, `of=${head}`]);
    const parts = readGpt(readFileSync(head));
    const part = parts.find((p) => p.name === name);
    if (!part) throw new LabError(`${disk} has no partition named ${name} (it has ${parts.map((p) => p.name).join(', ') || 'none'})`);
    return part;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function partitionBytes(disk: string, part: GptPartition, to: string): Promise<void> {
  const bytes = (part.lastLba - part.firstLba + 1) * sectorBytes;
  // qemu-img 7.2's dd counts `count` from the start of the input, not from `skip` ("cannot skip
  // to specified offset" otherwise): ask for the partition's end and cut the copy to its length,
  // which also holds where dd counts from `skip`.
  await execa('qemu-img', ['dd', '-f', 'qcow2', '-O', 'raw', `bs=${sectorBytes}`, `skip=${part.firstLba}`, `count=${part.lastLba + 1}`, `if=${disk}`, `of=${to}`]);
  const got = statSync(to).size;
  if (got < bytes) throw new LabError(`qemu-img dd copied ${got} bytes of ${disk}'s partition ${part.number}, not its ${bytes}`);
  if (got > bytes) truncateSync(to, bytes);
}

async function checkExt(raw: string, what: string): Promise<void> {
  const r = await execa('blkid', ['-p', '-s', 'TYPE', '-o', 'value', raw], { reject: false });
  const type = r.stdout.trim();
  if (!/^ext[234]$/.test(type)) throw new LabError(`${what} holds ${type || 'no known'} filesystem; the lab writes files into ext2/3/4 only`);
}

async function debugfs(raw: string, request: string, write = false): Promise<string> {
  const r = await execa('debugfs', [...(write ? ['-w'] : []), '-R', request, raw], { reject: false, stripFinalNewline: false });
  if (r.exitCode !== 0) throw new LabError(`debugfs ${request}: ${r.stderr.trim().split('\n').at(-1) ?? `exit ${r.exitCode}`}`);
  return r.stdout;
}

/** Runs `fn` on a copy of the named ext partition's bytes (in an owned temp dir, removed after). */
async function onPartitionCopy<T>(disk: string, partName: string, fn: (raw: string, part: GptPartition, dir: string) => Promise<T>): Promise<T> {
  const part = await partitionOf(disk, partName);
  const dir = ownedTempDir('part');
  try {
    const raw = join(dir, 'part.raw');
    await partitionBytes(disk, part, raw);
    await checkExt(raw, `${disk}'s ${partName} partition`);
    return await fn(raw, part, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Replaces (or creates) `path` at the top of the partition named `partName` with `content`, mode 0600, owned by root. */
export async function writePartitionFile(disk: string, partName: string, path: string, content: string, mode = 0o600): Promise<void> {
  if (path.includes('/')) throw new Error(`writePartitionFile: '${path}' must name a file at the partition's top`);
  await onPartitionCopy(disk, partName, async (raw, part, dir) => {
    const src = join(dir, 'content');
    writeFileSync(src, content);
    chmodSync(src, mode);
    // `rm` of a file that is not there only complains; `write` refuses to overwrite.
    await execa('debugfs', ['-w', '-R', `rm ${path}`, raw], { reject: false });
    await debugfs(raw, `write ${src} ${path}`, true);
    await debugfs(raw, `sif ${path} uid 0`, true);
    await debugfs(raw, `sif ${path} gid 0`, true);
    const back = await debugfs(raw, `cat ${path}`);
    if (back !== content) throw new LabError(`${disk}'s ${partName}/${path} reads back ${back.length} bytes, not the ${content.length} written`);
    const r = await execa('qemu-io', ['-f', 'qcow2', '-c', `write -q -s ${raw} ${part.firstLba * sectorBytes} ${statSync(raw).size}`, disk], { reject: false });
    if (r.exitCode !== 0 || /error|failed/i.test(r.stdout + r.stderr)) throw new LabError(`qemu-io could not write ${partName} back into ${disk}: ${(r.stderr || r.stdout).trim()}`);
  });
}

/** The file's bytes as the guest would read them (for checks), or undefined when it is not there. */
export async function readPartitionFile(disk: string, partName: string, path: string): Promise<string | undefined> {
  return onPartitionCopy(disk, partName, async (raw) => {
    const r = await execa('debugfs', ['-R', `stat ${path}`, raw], { reject: false });
    if (/File not found/.test(r.stderr)) return undefined;
    return debugfs(raw, `cat ${path}`);
  });
}
