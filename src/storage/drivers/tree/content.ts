// Byte-for-byte comparison of two regular files, for when metadata alone cannot decide. A branch's
// files belong to a container, which can swap any of them for a FIFO, a device or a symlink at any
// moment: each file is reached without following a symlink and opened only once it is known to be
// the regular file the caller's lstat saw.

import { constants, promises as fs, type BigIntStats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { lstatOrUndefined } from './walk.js';

const CHUNK = 1 << 20;
/** Linux's O_PATH (the same value on every architecture Node supports); Node does not export it. */
const O_PATH = 0o10000000;
const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK, O_DIRECTORY } = constants;

/** A file to compare: a path relative to a tree's root, and what an lstat of it said. */
export interface FileRef {
  root: string | Buffer;
  /** Relative path, raw bytes as latin1 characters, as the walks yield it. */
  path: string;
  stat: BigIntStats;
}

/**
 * Whether two regular files have the same bytes (sizes are assumed already compared by the caller).
 * False, without reading, when either is no longer the regular file its `stat` describes (same dev
 * and inode): the entry changed since it was looked at, which is a difference. A file given as a
 * bare path (in a tree nobody else writes, such as a read-only snapshot) is lstat-ed here and only
 * its last component is guarded.
 */
export async function sameContent(a: FileRef | Buffer, b: FileRef | Buffer): Promise<boolean> {
  const [fa, fb] = await Promise.all([openChecked(toRef(a)), openChecked(toRef(b))]);
  try {
    if (!fa || !fb) return false;
    const ba = Buffer.allocUnsafe(CHUNK);
    const bb = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const [ra, rb] = await Promise.all([fa.read(ba, 0, CHUNK, null), fb.read(bb, 0, CHUNK, null)]);
      if (ra.bytesRead !== rb.bytesRead) return false;
      if (ra.bytesRead === 0) return true;
      if (ba.compare(bb, 0, rb.bytesRead, 0, ra.bytesRead) !== 0) return false;
    }
  } finally {
    await Promise.all([fa?.close(), fb?.close()]);
  }
}

/**
 * Opens `file` for reading, or resolves to undefined when it is gone or is not (any more) the regular
 * file of `file.stat`. The path is walked one component at a time with O_PATH|O_NOFOLLOW (through
 * /proc/self/fd, Node's stand-in for openat), so no symlink is followed anywhere in it, and an O_PATH
 * descriptor neither blocks on a FIFO nor opens a device (which can have effects: a tape rewinds, a
 * watchdog arms). Only once fstat of that descriptor shows the expected regular file is it reopened
 * for reading, with O_NONBLOCK besides.
 */
async function openChecked(file: FileRef | undefined): Promise<FileHandle | undefined> {
  const target = file && (await openPath(file));
  if (!target) return undefined;
  try {
    if (!isSameFile(await target.stat({ bigint: true }), file.stat)) return undefined;
    const handle = await fs.open(`/proc/self/fd/${target.fd}`, O_RDONLY | O_NONBLOCK);
    if (isSameFile(await handle.stat({ bigint: true }), file.stat)) return handle;
    await handle.close();
    return undefined;
  } finally {
    await target.close();
  }
}

/** A bare path as a FileRef: its directory as the root, lstat-ed now; undefined when it is gone. */
function toRef(file: FileRef | Buffer): FileRef | undefined {
  if (!Buffer.isBuffer(file)) return file;
  const slash = file.lastIndexOf('/');
  const stat = lstatOrUndefined(file);
  if (stat === undefined) return undefined;
  const root = slash < 0 ? '.' : slash === 0 ? '/' : file.subarray(0, slash);
  return { root, path: file.subarray(slash + 1).toString('latin1'), stat };
}

function isSameFile(now: BigIntStats, seen: BigIntStats): boolean {
  return now.isFile() && now.dev === seen.dev && now.ino === seen.ino;
}

/** An O_PATH descriptor of `file.path` reached without following symlinks; undefined when it is gone. */
async function openPath(file: FileRef): Promise<FileHandle | undefined> {
  const names = file.path === '' ? [] : file.path.split('/');
  let handle = await fs.open(file.root, O_PATH | O_DIRECTORY);
  for (const [i, name] of names.entries()) {
    const last = i === names.length - 1;
    let next: FileHandle | undefined;
    try {
      next = await openAt(handle, name, O_PATH | O_NOFOLLOW | (last ? 0 : O_DIRECTORY));
    } finally {
      await handle.close();
    }
    if (!next) return undefined;
    handle = next;
  }
  return handle;
}

async function openAt(dir: FileHandle, name: string, flags: number): Promise<FileHandle | undefined> {
  const at = Buffer.concat([Buffer.from(`/proc/self/fd/${dir.fd}/`), Buffer.from(name, 'latin1')]);
  try {
    return await fs.open(at, flags);
  } catch (err) {
    // ENOTDIR: a directory on the path was swapped for something else (a symlink, with O_DIRECTORY).
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return undefined;
    throw err;
  }
}
