// Small durable-filesystem helpers shared by the drivers: fsync of directories, atomic file writes,
// whole-tree removal and syncing a filesystem.

import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';

import { run } from './exec.js';

/** fsyncs a directory so that renames and creations inside it survive a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `data` to `file` atomically and durably: temp file, fsync, rename, fsync the directory. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.tmp-${randomBytes(4).toString('hex')}`;
  const handle = await fs.open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
  await fsyncDir(path.dirname(file));
}

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
