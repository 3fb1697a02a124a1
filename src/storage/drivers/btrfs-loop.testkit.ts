// A real btrfs filesystem in a loopback file, for tests and benchmarks; always torn down afterwards.

import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { run } from './exec.js';

/** A mounted loopback btrfs filesystem. */
export interface LoopBtrfs {
  /** Where it is mounted. */
  mountpoint: string;
  /** Unmounts it, detaches the loop device and deletes the image; safe to call twice. */
  dispose(): Promise<void>;
}

/** Why loopback btrfs cannot be used here, or undefined when it can. */
export async function loopBtrfsUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root to mount a loopback btrfs filesystem';
  for (const tool of ['mkfs.btrfs', 'btrfs', 'losetup']) {
    try {
      await run('which', [tool], `looking for ${tool}`);
    } catch {
      return `${tool} is not installed (apt-get install btrfs-progs util-linux)`;
    }
  }
  return undefined;
}

/**
 * Makes a sparse image of `bytes` in a new directory under `parent`, formats it btrfs, attaches it to a
 * loop device and mounts it. On failure part-way, undoes what was done before rethrowing. (Not under
 * tap's t.testdir(): tap removes that before later teardowns could unmount.)
 */
export async function createLoopBtrfs(bytes = 1024 ** 3, parent = os.tmpdir()): Promise<LoopBtrfs> {
  const workdir = await fs.mkdtemp(path.join(parent, 'dvol-btrfs-'));
  const image = path.join(workdir, 'btrfs.img');
  const mountpoint = path.join(workdir, 'mnt');
  let device: string | undefined;
  let mounted = false;
  const dispose = async (): Promise<void> => {
    if (mounted) await unmount(mountpoint);
    mounted = false;
    if (device) await run('losetup', ['-d', device], `detaching '${device}'`);
    device = undefined;
    await fs.rm(workdir, { recursive: true, force: true });
  };
  try {
    await fs.mkdir(mountpoint, { recursive: true });
    await fs.writeFile(image, '');
    await fs.truncate(image, bytes);
    await run('mkfs.btrfs', ['-q', image], `formatting '${image}'`);
    device = (await run('losetup', ['--find', '--show', image], `attaching '${image}'`)).stdout.trim();
    await run('mount', ['-t', 'btrfs', device, mountpoint], `mounting '${device}'`);
    mounted = true;
    return { mountpoint, dispose };
  } catch (err) {
    await dispose().catch(() => undefined);
    throw err;
  }
}

/** Unmounts, retrying briefly while a just-killed process still holds the filesystem busy. */
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
