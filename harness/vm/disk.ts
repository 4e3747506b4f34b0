import { execa } from 'execa';
import { writePartitionFile } from './partitionFile.ts';

/** A node's disk size, GiB: what flatcar-install writes the image to (the image itself is ~1.3 GiB). */
export const nodeDiskGiB = 8;

/** A throwaway qcow2 disk for one node (optionally on top of a cached installed disk). */
export async function createDisk(path: string, sizeGiB: number, backing?: string): Promise<string> {
  const args = ['create', '-q', '-f', 'qcow2'];
  if (backing) args.push('-F', 'qcow2', '-b', backing);
  args.push(path, `${sizeGiB}G`);
  await execa('qemu-img', args);
  return path;
}

/**
 * A node's disk as flatcar-install would have left it with `-i config`: a copy-on-write overlay
 * of an installed disk, with `config` as OEM/config.ign — where flatcar-install puts its `-i`
 * file and where the first disk boot's Ignition reads it from.
 */
export async function diskFromInstall(path: string, sizeGiB: number, installed: string, config: string): Promise<string> {
  await createDisk(path, sizeGiB, installed);
  await writePartitionFile(path, 'OEM', 'config.ign', config);
  return path;
}
