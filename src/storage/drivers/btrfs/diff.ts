// `dvol diff` on btrfs: the paths a metadata-only send stream names between two read-only snapshots,
// each checked against both sides (so noise such as atime updates or identical rewrites drops out).

import { snapshotChanges } from './changes.js';
import type { PathChange } from './path-change.js';
import { isRealChange, under } from './verify.js';
import { describe, sideOf, type ChangeAspect, type DiffEntry } from '../diff-entry.js';
import { sameContent } from '../tree/content.js';
import { treeKey } from '../tree/diff-trees.js';
import { walkNames } from '../tree/walk.js';
import { readXattrs } from '../tree/xattr.js';

/** What the stream said about one path. */
interface Touched {
  /** Data ranges to verify; undefined once too many to be worth it (then whole files are compared). */
  data?: PathChange[];
  /** Compare the whole content when metadata matches (renamed trees, too many ranges). */
  whole: boolean;
  xattr: boolean;
}

/** More rewritten ranges than this on one file: compare the files whole instead. */
const MAX_RANGES = 64;

/**
 * Yields every path that differs from `parent` to `current` (both read-only snapshots), in tree order.
 * Holds the changed paths (not the tree) in memory: send reports changes per inode, so a path can be
 * named several times far apart, and they are sorted before they are described. A renamed directory
 * is reported as its old paths deleted and its new paths added, like the other drivers do.
 */
export async function* btrfsDiff(parent: string, current: string): AsyncGenerator<DiffEntry> {
  const touched = new Map<string, Touched>();
  const touch = (path: Buffer): Touched => {
    const key = path.toString('latin1');
    let t = touched.get(key);
    if (!t) touched.set(key, (t = { data: [], whole: false, xattr: false }));
    return t;
  };
  for await (const change of snapshotChanges(parent, current)) {
    if (change.kind === 'renamed') {
      if (change.from) await touchTree(parent, change.from, touch);
      await touchTree(current, change.path, touch);
      continue;
    }
    const t = touch(change.path);
    if (change.kind === 'xattr') t.xattr = true;
    if (change.kind === 'data') {
      if (t.data && t.data.length < MAX_RANGES) t.data.push(change);
      else {
        t.data = undefined;
        t.whole = true;
      }
    }
  }
  const paths = [...touched.keys()].sort((p, q) => (treeKey(p) < treeKey(q) ? -1 : 1));
  for (const path of paths) {
    const t = touched.get(path) as Touched;
    touched.delete(path);
    const rel = Buffer.from(path, 'latin1');
    const found = await contentAspects(parent, current, rel, t);
    const entry = describe(rel, parent, current, found);
    // A path whose only news was noise (a directory's times, an atime) is not a difference.
    if (entry && (entry.status !== 'M' || entry.changes.length > 0)) yield entry;
  }
}

/** Marks a renamed entry and, for a directory, everything below it, as needing a whole comparison. */
async function touchTree(root: string, rel: Buffer, touch: (p: Buffer) => Touched): Promise<void> {
  for await (const sub of walkNames(root, rel.toString('latin1')))
    touch(Buffer.from(sub, 'latin1')).whole = true;
}

/** The content and xattr differences metadata alone cannot show. */
async function contentAspects(
  parent: string,
  current: string,
  rel: Buffer,
  t: Touched,
): Promise<ChangeAspect[]> {
  const found: ChangeAspect[] = [];
  const [before, after] = [sideOf(parent, rel), sideOf(current, rel)];
  if (before?.type === 'file' && after?.type === 'file' && before.size === after.size) {
    if (t.whole && !(await sameContent(under(parent, rel), under(current, rel)))) found.push('content');
    else if (!t.whole && (await someReal(t.data ?? [], parent, current))) found.push('content');
  }
  if ((t.xattr || t.whole) && before && after) {
    const [a] = await readXattrs([under(parent, rel)]);
    const [b] = await readXattrs([under(current, rel)]);
    if (a !== b) found.push('xattrs');
  }
  return found;
}

async function someReal(changes: PathChange[], parent: string, current: string): Promise<boolean> {
  for (const c of changes) if (await isRealChange(c, parent, current)) return true;
  return false;
}
