// A real xfs (reflink=1), btrfs or ext4 filesystem in a loopback file, for tests and benchmarks of
// the drivers and of state directories; always torn down afterwards.

import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { run } from './exec.js';

export type LoopFsType = 'xfs' | 'btrfs' | 'ext4';

/** A mounted loopback filesystem. */
export interface LoopFs {
  mountpoint: string;
  /** Unmounts it (which frees the loop device) and deletes the image; safe to call twice. */
  dispose(): Promise<void>;
}

const MKFS: Record<LoopFsType, string[]> = {
  xfs: ['mkfs.xfs', '-q', '-m', 'reflink=1'],
  btrfs: ['mkfs.btrfs', '-q'],
  ext4: ['mkfs.ext4', '-q', '-F'],
};

const PACKAGE: Record<LoopFsType, string> = { xfs: 'xfsprogs', btrfs: 'btrfs-progs', ext4: 'e2fsprogs' };

/** Why a loopback filesystem of `type` cannot be made here, or undefined when it can. */
export async function loopFsUnavailable(type: LoopFsType): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return `needs root to mount a loopback ${type} filesystem`;
  const tool = MKFS[type][0] as string;
  try {
    await run('which', [tool], `looking for ${tool}`);
  } catch {
    return `${tool} is not installed (apt-get install ${PACKAGE[type]})`;
  }
  return undefined;
}

/**
 * Makes a sparse image of `bytes` in a new directory under `parent` (not a tap testdir: tap removes
 * those before later teardowns could unmount), formats it and mounts it with `-o loop`, whose device
 * is freed by the unmount. Undoes what was done when a step fails.
 */
export async function createLoopFs(
  type: LoopFsType,
  bytes = 512 * 1024 ** 2,
  parent = os.tmpdir(),
): Promise<LoopFs> {
  const workdir = await fs.mkdtemp(path.join(parent, `dvol-${type}-`));
  const image = path.join(workdir, `${type}.img`);
  const mountpoint = path.join(workdir, 'mnt');
  let mounted = false;
  const dispose = async (): Promise<void> => {
    if (mounted) await unmount(mountpoint);
    mounted = false;
    await fs.rm(workdir, { recursive: true, force: true });
  };
  try {
    await fs.mkdir(mountpoint);
    await fs.writeFile(image, '');
    await fs.truncate(image, bytes);
    const [mkfs, ...args] = MKFS[type] as [string, ...string[]];
    await run(mkfs, [...args, image], `formatting '${image}' as ${type}`);
    await run('mount', ['-t', type, '-o', 'loop', image, mountpoint], `mounting '${image}'`);
    mounted = true;
    return { mountpoint, dispose };
  } catch (err) {
    await dispose().catch(() => undefined);
    throw err;
  }
}

/** Unmounts, retrying briefly while a just-killed process may still hold the filesystem busy. */
async function unmount(mountpoint: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await run('umount', [mountpoint], `unmounting '${mountpoint}'`);
      return;
    } catch (err) {
      if (attempt >= 10) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
