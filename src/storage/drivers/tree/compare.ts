// Compares a branch with a commit, entry by entry, as a stream of differences: entries whose stat
// fingerprint matches the manifest are skipped; every other entry is compared with the commit's copy
// (metadata, then bytes, then xattrs). Used by hasChanges (first difference) and later by `dvol diff`.

import type { BigIntStats } from 'node:fs';

import { sameContent } from './content.js';
import { ManifestCursor, precedes } from './manifest.js';
import type { Manifest } from './manifest.js';
import { ManifestPatch } from './manifest-patch.js';
import { lstatOrUndefined, rawPath, targetOrUndefined } from './walk.js';
import { walkFingerprints } from './walk-parallel.js';
import { readTreeXattrs, readXattrs } from './xattr.js';

/** One way in which the branch differs from the commit. */
export interface Difference {
  /** Relative path, raw bytes as latin1 characters ('' is the root directory). */
  path: string;
  kind: 'added' | 'deleted' | 'modified';
  /** For 'modified': what differs first. */
  what?: 'type' | 'mode' | 'owner' | 'mtime' | 'links' | 'target' | 'device' | 'content' | 'xattrs';
}

export interface CompareInput {
  branch: string;
  /** The commit's data directory; null compares with an empty directory. */
  commit: string | null;
  /** Fingerprints and the full path set of the commit; for a null commit, the root's expected metadata. */
  known: Manifest;
  /** The filesystem's time when this comparison started (see ManifestBuilder.build). */
  since: bigint;
  /**
   * Called when no difference was found but some entries could not be trusted, with a fresh manifest
   * that will trust them next time.
   */
  onClean?: (fresh: Manifest) => Promise<void>;
}

/**
 * Yields every difference between the branch and the commit: modifications and additions in walk
 * order, then deletions, then xattr differences. Stopping early is cheap.
 */
export async function* diffTree(input: CompareInput): AsyncGenerator<Difference> {
  const { branch, commit, known } = input;
  const patch = new ManifestPatch(known);
  const xattrPaths: string[] = [];
  let differs = false;
  let compared = false;
  const m = new ManifestCursor(known.entries); // in walk order: merged with the walk
  for await (const batch of walkFingerprints(branch)) {
    for (const { path, fp } of batch) {
      for (; !m.done && !m.isAt(path) && precedes(m.path(), path); m.next()) patch.drop(m.index, m.path());
      const at = m.index;
      const replaces = !m.done && m.isAt(path);
      if (replaces) {
        const same = m.hasFp(path, fp);
        m.next();
        if (same) continue;
      }
      patch.put(at, path, fp, replaces);
      compared = true;
      const diff = await compareEntry(input, path);
      if (diff) {
        differs = true;
        yield diff;
      } else if (commit !== null) xattrPaths.push(path);
    }
  }
  for (; !m.done; m.next()) patch.drop(m.index, m.path());
  if (commit !== null) {
    if (patch.dropped.length > 0) compared = true;
    for (const path of patch.dropped) {
      if (lstatOrUndefined(rawPath(commit, path)) !== undefined) {
        differs = true;
        yield { path, kind: 'deleted' };
      }
    }
    for await (const diff of xattrDiffs(branch, commit, xattrPaths)) {
      differs = true;
      yield diff;
    }
  }
  // Only worth rewriting when something had to be compared: the fresh manifest then trusts it next time.
  if (!differs && compared && input.onClean) {
    await input.onClean({ ...patch.builder().build(known.commit, input.since), root: known.root });
  }
}

/**
 * Compares one branch entry with the commit's entry at the same path (xattrs aside), as the entry is
 * now: the walk only said that it may differ. An entry gone since the walk counts as deleted.
 */
async function compareEntry(input: CompareInput, path: string): Promise<Difference | undefined> {
  const { commit, known } = input;
  const oursPath = rawPath(input.branch, path);
  const stat = lstatOrUndefined(oursPath);
  if (stat === undefined) {
    const inCommit = commit !== null && lstatOrUndefined(rawPath(commit, path)) !== undefined;
    return inCommit ? { path, kind: 'deleted' } : undefined;
  }
  if (commit === null) {
    if (path !== '') return { path, kind: 'added' };
    const root = known.root;
    if (root === undefined) return undefined;
    if (Number(stat.mode) !== root.mode) return { path, kind: 'modified', what: 'mode' };
    if (Number(stat.uid) !== root.uid || Number(stat.gid) !== root.gid) {
      return { path, kind: 'modified', what: 'owner' };
    }
    return undefined;
  }
  const theirsPath = rawPath(commit, path);
  const theirs = lstatOrUndefined(theirsPath);
  if (theirs === undefined) return { path, kind: 'added' };
  const what = metadataDifference(stat, theirs);
  if (what) return { path, kind: 'modified', what };
  if (stat.isSymbolicLink() && targetOrUndefined(oursPath) !== targetOrUndefined(theirsPath)) {
    return { path, kind: 'modified', what: 'target' };
  }
  const ours = { root: input.branch, path, stat };
  if (stat.isFile() && !(await sameContent(ours, { root: commit, path, stat: theirs }))) {
    return { path, kind: 'modified', what: 'content' };
  }
  return undefined;
}

/**
 * The first metadata field that differs. Directory mtimes are ignored: they move whenever an entry
 * is created and removed again, which leaves the data equal; changed children are reported themselves.
 */
function metadataDifference(ours: BigIntStats, theirs: BigIntStats): Difference['what'] {
  const S_IFMT = 0o170000n;
  if ((ours.mode & S_IFMT) !== (theirs.mode & S_IFMT)) return 'type';
  if (ours.mode !== theirs.mode) return 'mode';
  if (ours.uid !== theirs.uid || ours.gid !== theirs.gid) return 'owner';
  if (ours.isDirectory()) return undefined;
  if (ours.isFile() && ours.size !== theirs.size) return 'content';
  if (ours.mtimeNs !== theirs.mtimeNs) return 'mtime';
  if (ours.nlink !== theirs.nlink) return 'links';
  if ((ours.isCharacterDevice() || ours.isBlockDevice()) && ours.rdev !== theirs.rdev) return 'device';
  return undefined;
}

/** Above this many entries, one recursive getfattr per tree beats batches of named entries. */
const WHOLE_TREE_XATTRS = 4096;

/** Compares xattrs of the given entries in both trees. */
async function* xattrDiffs(branch: string, commit: string, paths: string[]): AsyncGenerator<Difference> {
  if (paths.length === 0) return;
  let ours: (string | undefined)[];
  let theirs: (string | undefined)[];
  if (paths.length > WHOLE_TREE_XATTRS) {
    const [b, c] = await Promise.all([readTreeXattrs(branch), readTreeXattrs(commit)]);
    ours = paths.map((p) => b.get(p) ?? '');
    theirs = paths.map((p) => c.get(p) ?? '');
  } else {
    ours = await readXattrs(paths.map((p) => rawPath(branch, p)));
    theirs = await readXattrs(paths.map((p) => rawPath(commit, p)));
  }
  for (let i = 0; i < paths.length; i++) {
    if (ours[i] !== theirs[i]) yield { path: paths[i] as string, kind: 'modified', what: 'xattrs' };
  }
}
