// Turns "these paths were touched" into settled events, by comparing what is there now with what the
// watcher last saw. inotify's own reports are only hints: a watcher can miss the contents of a
// directory created a moment before its watch was added, and keeps stale names after a directory
// moves, so every event here is derived from lstat, and a directory's subtree is walked when it
// appears.

import type { EntryState, FileEvent } from './events.js';
import { stateOf, walkBelow } from './entries.js';

/** The last seen state of every entry below the root, keyed by relative path. */
export type EntryIndex = Map<string, EntryState>;

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

function isBelow(path: string, dir: string): boolean {
  return path.startsWith(`${dir}/`);
}

function removeSubtree(index: EntryIndex, dir: string): void {
  for (const path of index.keys()) if (isBelow(path, dir)) index.delete(path);
}

function sameEntry(a: EntryState, b: EntryState): boolean {
  return a.kind === b.kind && a.dev === b.dev && a.ino === b.ino;
}

function contentChanged(a: EntryState, b: EntryState): boolean {
  // A directory's times move with every change inside it; its children report those themselves.
  if (a.kind === 'dir') return false;
  return a.size !== b.size || a.mtimeNs !== b.mtimeNs || a.ctimeNs !== b.ctimeNs;
}

/** The top-most ancestor of `path` that the index does not know (so it appeared unseen), or `path`. */
function topUnknown(index: EntryIndex, path: string): string {
  let top = path;
  for (let p = parentOf(path); p !== ''; p = parentOf(p)) if (!index.has(p)) top = p;
  return top;
}

/**
 * Re-examines `touched` paths under `root`, updates `index` and returns the events, in order:
 * deletions, renames, creations (a new directory is followed by everything found inside it),
 * modifications. A deleted directory is one event; everything below it went with it.
 */
export async function reconcile(
  root: string,
  index: EntryIndex,
  touched: Iterable<string>,
): Promise<FileEvent[]> {
  const gone: [string, EntryState][] = [];
  const appeared: Appeared[] = [];
  const modified: [string, EntryState][] = [];
  const paths = [...new Set(touched)].filter((p) => p !== '').sort();
  // One lstat per touched path, many at once (a burst touches thousands); decided in order below.
  const states = await statAll(root, paths);
  for (const [i, touchedPath] of paths.entries()) {
    const now = states[i];
    const path = now === undefined ? touchedPath : topUnknown(index, touchedPath);
    const old = index.get(path);
    const current = path === touchedPath ? now : await stateOf(root, path);
    if (old !== undefined && (current === undefined || !sameEntry(old, current))) {
      gone.push([path, old]);
      index.delete(path);
      if (old.kind === 'dir') removeSubtree(index, path);
    }
    if (current === undefined) continue;
    if (old === undefined || !sameEntry(old, current)) {
      // A new directory's contents are indexed at once, so touched paths inside it, examined next
      // (the order is sorted), are already known and do not count twice.
      const children: [string, EntryState][] = [];
      index.set(path, current);
      if (current.kind === 'dir') {
        for await (const [child, cst] of walkBelow(root, path)) {
          index.set(child, cst);
          children.push([child, cst]);
        }
      }
      appeared.push({ path, state: current, children });
    } else if (contentChanged(old, current)) {
      modified.push([path, current]);
      index.set(path, current);
    }
  }
  return pairRenames(gone, appeared, modified);
}

interface Appeared {
  path: string;
  state: EntryState;
  /** Everything inside a new directory, as found when it appeared. */
  children: [string, EntryState][];
}

function pairRenames(
  gone: [string, EntryState][],
  appeared: Appeared[],
  modified: [string, EntryState][],
): FileEvent[] {
  const byInode = new Map<string, string>();
  for (const [path, st] of gone) byInode.set(`${st.kind}:${st.dev}:${st.ino}`, path);
  const events: FileEvent[] = [];
  const renames: FileEvent[] = [];
  const creations: FileEvent[] = [];
  const renamedFrom = new Set<string>();
  for (const { path, state: st, children } of appeared) {
    const from = byInode.get(`${st.kind}:${st.dev}:${st.ino}`);
    if (from !== undefined && !renamedFrom.has(from)) {
      renamedFrom.add(from);
      renames.push({ type: 'renamed', from, path, kind: st.kind });
      continue;
    }
    const replaced = gone.find(([p, old]) => p === path && old.kind === st.kind);
    if (replaced !== undefined && st.kind !== 'dir') {
      // An atomic save (write a temporary file, rename it over the old one) changed the content.
      renamedFrom.add(path);
      modified.push([path, st]);
      continue;
    }
    creations.push({ type: 'created', path, kind: st.kind });
    for (const [child, cst] of children) creations.push({ type: 'created', path: child, kind: cst.kind });
  }
  for (const [path, st] of gone)
    if (!renamedFrom.has(path)) events.push({ type: 'deleted', path, kind: st.kind });
  events.push(...renames, ...creations);
  for (const [path, st] of modified) events.push({ type: 'modified', path, kind: st.kind });
  return events;
}

const STAT_CONCURRENCY = 32;

async function statAll(root: string, paths: string[]): Promise<(EntryState | undefined)[]> {
  const out: (EntryState | undefined)[] = new Array(paths.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < paths.length; i = next++) out[i] = await stateOf(root, paths[i] ?? '');
  };
  await Promise.all(Array.from({ length: Math.min(STAT_CONCURRENCY, paths.length) }, worker));
  return out;
}

/** The index of everything below `root`, as the watcher starts. */
export async function indexTree(root: string): Promise<EntryIndex> {
  const index: EntryIndex = new Map();
  for await (const [path, st] of walkBelow(root, '')) index.set(path, st);
  return index;
}
