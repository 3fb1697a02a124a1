// Turns a directory tree into index entries (metadata only): every entry's type, mode, owner,
// mtime, link target, device number, xattrs and hard-link group, and for regular files whether the
// parent commit's block list still describes them (same size, mtime, inode and ctime).

import type fs from 'node:fs';

import { walkTree } from '../../drivers/tree/walk.js';
import { readTreeXattrs } from '../../drivers/tree/xattr.js';
import { type IndexEntry, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG } from './entry.js';

export interface ScannedTree {
  /** In walk order (depth first, names sorted bytewise). */
  entries: IndexEntry[];
  /** Regular files whose blocks must be read: not in the parent, or changed since. */
  toRead: IndexEntry[];
  /** Apparent bytes of every regular file (hard links counted once). */
  dataBytes: number;
  /** Sockets, which no copy can carry (as tar and cp skip them). */
  skipped: string[];
}

function entryOf(path: string, stat: fs.BigIntStats, target: string | undefined): IndexEntry {
  const e: IndexEntry = {
    path,
    mode: Number(stat.mode),
    uid: Number(stat.uid),
    gid: Number(stat.gid),
    mtime: String(stat.mtimeNs),
    size: 0,
  };
  const type = e.mode & S_IFMT;
  if (type === S_IFLNK) e.target = target;
  if (type === S_IFCHR || type === S_IFBLK) e.rdev = Number(stat.rdev);
  return e;
}

/** Whether `prev` (the parent's entry at the same path) still holds `e`'s blocks. */
function unchanged(e: IndexEntry, prev: IndexEntry | undefined): boolean {
  return prev?.blocks !== undefined && prev.fp === e.fp && prev.size === e.size && prev.mtime === e.mtime;
}

/** Scans `dir`; `parent` maps paths to the parent commit's entries. */
export async function scanTree(dir: string, parent: Map<string, IndexEntry>): Promise<ScannedTree> {
  const xattrs = await readTreeXattrs(dir);
  const out: ScannedTree = { entries: [], toRead: [], dataBytes: 0, skipped: [] };
  const firstOfInode = new Map<bigint, string>();
  for await (const { path, stat, target } of walkTree(dir)) {
    const type = Number(stat.mode) & S_IFMT;
    if (![S_IFREG, S_IFDIR, S_IFLNK, S_IFIFO, S_IFCHR, S_IFBLK].includes(type)) {
      out.skipped.push(path);
      continue;
    }
    const e = entryOf(path, stat, target);
    const x = xattrs.get(path);
    if (x !== undefined && x !== '') e.xattrs = x;
    out.entries.push(e);
    if (type !== S_IFREG) continue;
    e.size = Number(stat.size);
    const first = stat.nlink > 1n ? firstOfInode.get(stat.ino) : undefined;
    if (first !== undefined) {
      e.link = first;
      continue;
    }
    if (stat.nlink > 1n) firstOfInode.set(stat.ino, path);
    out.dataBytes += e.size;
    e.fp = `${stat.ino}:${stat.ctimeNs}`;
    const prev = parent.get(path);
    if (unchanged(e, prev)) e.blocks = prev?.blocks;
    else out.toRead.push(e);
  }
  return out;
}
