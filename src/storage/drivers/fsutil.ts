// Small durable-filesystem helpers shared by the drivers: fsync of directories, atomic file writes,
// whole-tree removal and syncing a filesystem.

import { promises as fs } from 'node:fs';

import { run } from './exec.js';

// The same durable writes as the versioning core's metadata: one implementation of the ordering.
export { fsyncDir, writeFileAtomic } from '../atomic.js';

/**
 * Removes a whole tree. Uses `rm -rf` rather than fs.rm because Node 20's fs.rm reads names as UTF-8
 * strings and cannot delete entries whose names are not valid UTF-8.
 */
export async function removeTree(target: string, doing: string): Promise<void> {
  await run('rm', ['-rf', '--one-file-system', '--', target], doing);
}

/** Flushes the whole filesystem holding `target` to disk (syncfs), making a fresh copy durable. */
export async function syncFilesystem(target: string, doing: string): Promise<void> {
  await run('sync', ['-f', target], doing);
}

/** Whether `p` exists (without following a final symlink). */
export async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** The names in a directory, or none when it does not exist. */
export async function listDir(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
