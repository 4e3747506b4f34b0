import { execa } from 'execa';

/** A throwaway qcow2 disk for one node (optionally on top of a cached installed disk). */
export async function createDisk(path: string, sizeGiB: number, backing?: string): Promise<string> {
  const args = ['create', '-q', '-f', 'qcow2'];
  if (backing) args.push('-F', 'qcow2', '-b', backing);
  args.push(path, `${sizeGiB}G`);
  await execa('qemu-img', args);
  return path;
}
