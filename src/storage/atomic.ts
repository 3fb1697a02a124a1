// Atomic, durable small-file writes (temp file, fsync, rename, fsync the directory) and JSON reads.

import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DvolError, asDvolError } from './errors.js';

/** Flushes a directory's entries (a rename or unlink in it) to disk. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `path` with `data` so that after a crash it holds either the old or the new content, never
 * a mix: the data goes to a temp file beside it (same filesystem), is fsynced, renamed over `path`, and
 * the directory is fsynced so the rename itself is durable.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const dir = dirname(path);
  // The '.tmp-' prefix lets recovery recognise and remove leftovers of an interrupted write.
  const temp = join(dir, `.tmp-${basename(path)}-${randomBytes(6).toString('hex')}`);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    await fsyncDir(dir);
  } catch (err) {
    await rm(temp, { force: true });
    throw asDvolError(err, `writing ${path}`);
  }
}

/** `writeFileAtomic` of a value as pretty JSON with a trailing newline. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/** Whether a file name is a leftover temp file of `writeFileAtomic`. */
export function isAtomicTemp(name: string): boolean {
  return name.startsWith('.tmp-');
}

/** Reads and parses a JSON file; undefined when absent; 'corrupt' when it does not parse. */
export async function readJson<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw asDvolError(err, `reading ${path}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new DvolError(
      'corrupt',
      `${path} is not valid JSON`,
      'restore it from a backup, or run dvol fsck',
      {
        cause: err,
      },
    );
  }
}
