// Own-property look-ups and updates of a volume record's branches and tags: their names come from
// users, so a look-up must never find a key Object.prototype has ('constructor', 'toString'...).

import type { SnapshotRef, VolumeRecord } from './meta.js';

type Tag = VolumeRecord['tags'][string];

/** A copy of `entries` as a null-prototype object: even a plain `obj[name]` finds only own keys. */
export function ownDict<V>(entries: Iterable<[string, V]>): Record<string, V> {
  const dict = Object.create(null) as Record<string, V>;
  // defineProperty, not assignment: assigning '__proto__' would set a prototype on a normal object.
  for (const [key, value] of entries) {
    Object.defineProperty(dict, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return dict;
}

export function hasBranch(record: VolumeRecord, name: string): boolean {
  return Object.hasOwn(record.branches, name);
}

/** The tip of branch `name`: null before its first commit, undefined when there is no such branch. */
export function branchHead(record: VolumeRecord, name: string): string | null | undefined {
  return hasBranch(record, name) ? record.branches[name] : undefined;
}

/** The tip of the active branch; null before its first commit (or when the active branch is missing). */
export function activeHead(record: VolumeRecord): string | null {
  return branchHead(record, record.activeBranch) ?? null;
}

export function tagOf(record: VolumeRecord, name: string): Tag | undefined {
  return Object.hasOwn(record.tags, name) ? record.tags[name] : undefined;
}

/** `record` with branch `name` set to `head` (added if new). */
export function withBranch(record: VolumeRecord, name: string, head: string | null): VolumeRecord {
  return { ...record, branches: ownDict(entriesWith(record.branches, name, head)) };
}

export function withoutBranch(record: VolumeRecord, name: string): VolumeRecord {
  return { ...record, branches: ownDict(entriesWithout(record.branches, name)) };
}

export function withTag(record: VolumeRecord, name: string, tag: Tag): VolumeRecord {
  return { ...record, tags: ownDict(entriesWith(record.tags, name, tag)) };
}

export function withoutTag(record: VolumeRecord, name: string): VolumeRecord {
  return { ...record, tags: ownDict(entriesWithout(record.tags, name)) };
}

/** Every scheduled snapshot of the volume (of `branch` only, when given), as [id, ref] pairs. */
export function snapshotsOf(record: VolumeRecord, branch?: string): [string, SnapshotRef][] {
  return Object.entries(record.snapshots ?? {}).filter(
    ([, s]) => branch === undefined || s.branch === branch,
  );
}

export function withSnapshot(record: VolumeRecord, id: string, ref: SnapshotRef): VolumeRecord {
  return { ...record, snapshots: ownDict(entriesWith(record.snapshots ?? {}, id, ref)) };
}

/** `record` without the snapshots `drop` says to drop (by id and entry). */
export function withoutSnapshots(
  record: VolumeRecord,
  drop: (id: string, ref: SnapshotRef) => boolean,
): VolumeRecord {
  const kept = Object.entries(record.snapshots ?? {}).filter(([id, ref]) => !drop(id, ref));
  return { ...record, snapshots: ownDict(kept) };
}

/** The entries with `name` set to `value`, in place when it exists (the file's key order is kept). */
function entriesWith<V>(dict: Record<string, V>, name: string, value: V): [string, V][] {
  const entries = Object.entries(dict).map(([key, v]): [string, V] => [key, key === name ? value : v]);
  return Object.hasOwn(dict, name) ? entries : [...entries, [name, value]];
}

function entriesWithout<V>(dict: Record<string, V>, name: string): [string, V][] {
  return Object.entries(dict).filter(([key]) => key !== name);
}
