// The watcher's picture of a data directory: lstat of one path and a walk of a subtree, neither
// following symlinks nor opening anything (a container controls every entry here).

import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { EntryKind, EntryState } from './events.js';

function kindOf(st: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): EntryKind {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  return 'other';
}

/** The state of `root/rel`, or undefined when nothing is there (or it cannot be seen). */
export async function stateOf(root: string, rel: string): Promise<EntryState | undefined> {
  try {
    const st = await lstat(join(root, rel), { bigint: true });
    return {
      kind: kindOf(st),
      dev: Number(st.dev),
      ino: Number(st.ino),
      size: Number(st.size),
      mtimeNs: st.mtimeNs,
      ctimeNs: st.ctimeNs,
    };
  } catch {
    return undefined;
  }
}

/**
 * Every entry below `root/rel` (not `rel` itself), parents before children, names sorted so the
 * order is stable. Entries that vanish during the walk are left out.
 */
export async function* walkBelow(root: string, rel: string): AsyncGenerator<[string, EntryState]> {
  let names: string[];
  try {
    names = (await readdir(join(root, rel))).sort();
  } catch {
    return;
  }
  for (const name of names) {
    const path = rel === '' ? name : `${rel}/${name}`;
    const state = await stateOf(root, path);
    if (state === undefined) continue;
    yield [path, state];
    if (state.kind === 'dir') yield* walkBelow(root, path);
  }
}
