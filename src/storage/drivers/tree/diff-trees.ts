// Differences between two read-only trees (two commits, or an empty tree and a commit), by walking
// both in the same sorted order and merging the walks: memory stays at one directory listing per level.

import type { BigIntStats } from 'node:fs';
import { describe, type ChangeAspect, type DiffEntry } from '../diff-entry.js';
import { sameContent } from './content.js';
import { rawPath, walkTree, type TreeEntry } from './walk.js';
import { readXattrs } from './xattr.js';

/** walkTree's order as a plain string order: '/' sorts before every other byte of a name. */
export function treeKey(path: string): string {
  return path.replaceAll('/', '\0');
}

/** Entries held back for one batched xattr read, so equal-looking entries cost one getfattr per 256. */
const XATTR_BATCH = 256;

/**
 * Yields every path that differs from `from` (null: an empty tree) to `to`, in walk order. Regular
 * files whose metadata matches are compared byte for byte, and xattrs are compared for every entry
 * that matched otherwise: two commits carry no record of what was written between them.
 */
export async function* diffTrees(from: string | null, to: string): AsyncGenerator<DiffEntry> {
  const a = from === null ? undefined : walkTree(from)[Symbol.asyncIterator]();
  const b = walkTree(to)[Symbol.asyncIterator]();
  let x = a ? await next(a) : undefined;
  let y = await next(b);
  let unsure: string[] = [];
  while (x || y) {
    const order = !x ? 1 : !y ? -1 : compareKeys(x.path, y.path);
    let found: ChangeAspect[] | undefined;
    let path: string;
    if (order < 0) {
      path = (x as TreeEntry).path;
      found = [];
      x = a ? await next(a) : undefined;
    } else if (order > 0) {
      path = (y as TreeEntry).path;
      found = from === null && path === '' ? undefined : [];
      y = await next(b);
    } else {
      path = (x as TreeEntry).path;
      found = await compareEntries(from as string, to, x as TreeEntry, y as TreeEntry);
      if (found === undefined && from !== null) unsure.push(path);
      x = a ? await next(a) : undefined;
      y = await next(b);
    }
    if (found !== undefined) {
      const entry = describe(Buffer.from(path, 'latin1'), from, to, found);
      if (entry) yield entry;
    }
    if (unsure.length >= XATTR_BATCH || (!x && !y)) {
      yield* xattrDifferences(from as string, to, unsure);
      unsure = [];
    }
  }
}

async function next(it: AsyncIterator<TreeEntry>): Promise<TreeEntry | undefined> {
  const r = await it.next();
  return r.done ? undefined : r.value;
}

function compareKeys(p: string, q: string): number {
  const [kp, kq] = [treeKey(p), treeKey(q)];
  return kp < kq ? -1 : kp > kq ? 1 : 0;
}

/** What differs between two entries at the same path (xattrs aside), or undefined when nothing does. */
async function compareEntries(
  fromRoot: string,
  toRoot: string,
  x: TreeEntry,
  y: TreeEntry,
): Promise<ChangeAspect[] | undefined> {
  if (!sameMetadata(x.stat, y.stat) || x.target !== y.target) {
    // describe() sees type, mode, owner, size, mtime and target itself; these two it cannot.
    const extra: ChangeAspect[] = [];
    if (!x.stat.isDirectory() && x.stat.nlink !== y.stat.nlink) extra.push('links');
    if (x.stat.rdev !== y.stat.rdev) extra.push('device');
    return extra;
  }
  if (x.stat.isFile() && !(await sameContent({ root: fromRoot, ...x }, { root: toRoot, ...y }))) {
    return ['content'];
  }
  return undefined;
}

function sameMetadata(s: BigIntStats, t: BigIntStats): boolean {
  if (s.mode !== t.mode || s.uid !== t.uid || s.gid !== t.gid) return false;
  if (s.isDirectory()) return true;
  return s.size === t.size && s.mtimeNs === t.mtimeNs && s.nlink === t.nlink && s.rdev === t.rdev;
}

async function* xattrDifferences(from: string, to: string, paths: string[]): AsyncGenerator<DiffEntry> {
  if (paths.length === 0) return;
  const ours = await readXattrs(paths.map((p) => rawPath(from, p)));
  const theirs = await readXattrs(paths.map((p) => rawPath(to, p)));
  for (let i = 0; i < paths.length; i++) {
    if (ours[i] === theirs[i]) continue;
    const entry = describe(Buffer.from(paths[i] as string, 'latin1'), from, to, ['xattrs']);
    if (entry) yield entry;
  }
}
