// Whether a directory can hold btrfs-driver volumes: on btrfs, and subvolumes can be made there.

import { randomBytes } from 'node:crypto';
import { statfsSync } from 'node:fs';
import path from 'node:path';

import { DvolError } from '../../errors.js';
import { createSubvolume, deleteSubvolumes, filesystemType } from './cli.js';

const BTRFS_MAGIC = 0x9123683e;

/** statfs magic numbers of filesystems people run Docker on, to name them in errors. */
const FILESYSTEMS: Record<number, string> = {
  0xef53: 'ext4 (or ext2/ext3)',
  0x58465342: 'xfs',
  0x01021994: 'tmpfs',
  0x794c7630: 'overlayfs',
  0x2fc12fc1: 'zfs',
  0x6969: 'nfs',
  0xf15f: 'ecryptfs',
  0x65735546: 'fuse',
};

/** Resolves true when btrfs volumes can live under `dir`, else one sentence saying why not. */
export async function probeBtrfs(dir: string): Promise<true | string> {
  let type: string;
  try {
    type = await filesystemType(dir);
  } catch (err) {
    return `cannot read the filesystem type of '${dir}': ${(err as Error).message}`;
  }
  if (type !== 'btrfs') return `'${dir}' is on ${type}, not btrfs`;
  const probe = path.join(dir, `.dvol-btrfs-probe-${randomBytes(4).toString('hex')}`);
  try {
    await createSubvolume(probe);
    await deleteSubvolumes([probe], { commit: false });
    return true;
  } catch (err) {
    const who = process.getuid?.() === 0 ? '' : ` (dvol runs as uid ${process.getuid?.()}, not root)`;
    return `cannot create and delete btrfs subvolumes in '${dir}'${who}: ${(err as Error).message}`;
  }
}

/**
 * Throws 'unsupported' unless `root` is on btrfs: the driver was forced (by an option or a setting)
 * onto another filesystem. Synchronous because opening a driver does no other I/O.
 */
export function assertOnBtrfs(root: string): void {
  const { type } = statfsSync(root);
  if (type === BTRFS_MAGIC) return;
  const name = FILESYSTEMS[type] ?? `a filesystem of type 0x${type.toString(16)}`;
  throw new DvolError(
    'unsupported',
    `the btrfs driver cannot store data in '${root}': it is on ${name}, not btrfs`,
    "put the state directory on a btrfs filesystem, or choose the 'reflink' or 'plain' driver",
  );
}
