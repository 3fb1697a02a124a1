// What a watched volume reports: one event per settled change of a path inside its data, with paths
// relative to the data's root ('/'-separated, never starting with '/').

/** A file, directory, symlink or other entry that appeared, changed, went away or moved. */
export type FileEvent =
  | { type: 'created' | 'modified' | 'deleted'; path: string; kind: EntryKind }
  | { type: 'renamed'; from: string; path: string; kind: EntryKind };

export type EntryKind = 'file' | 'dir' | 'symlink' | 'other';

/** What the watcher remembers of an entry: enough to tell "changed", "replaced" and "moved" apart. */
export interface EntryState {
  kind: EntryKind;
  dev: number;
  ino: number;
  size: number;
  mtimeNs: bigint;
  ctimeNs: bigint;
}
