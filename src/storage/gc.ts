// Reachability of commits from refs, and the one garbage collector used by reset, branch -d and recovery.

import type { SnapshotDriver } from './drivers/driver.js';
import { removeCommitRecord, type VolumePaths, type VolumeRecord } from './meta.js';
import type { Commit } from './model.js';

/**
 * The targets of the refs a user made or fetched: branch heads, tagged commits and remote-tracking
 * branches (what retention never deletes).
 */
export function userRefTargets(record: VolumeRecord): string[] {
  const heads = Object.values(record.branches).filter((h): h is string => h !== null);
  const tracking = Object.values(record.remotes ?? {}).flatMap((r) => Object.values(r.branches));
  return [...heads, ...Object.values(record.tags).map((t) => t.commit), ...tracking];
}

/** Every ref's target: branch heads, tagged commits and scheduled snapshots (what GC keeps). */
export function refTargets(record: VolumeRecord): string[] {
  return [...userRefTargets(record), ...Object.keys(record.snapshots ?? {})];
}

/** Ids of the commits reachable from `starts` by following parents (only through known records). */
export function reachableFrom(starts: Iterable<string>, commits: Map<string, Commit>): Set<string> {
  const seen = new Set<string>();
  const stack = [...starts];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (seen.has(id)) continue;
    const commit = commits.get(id);
    if (!commit) continue;
    seen.add(id);
    if (commit.parent !== null) stack.push(commit.parent);
  }
  return seen;
}

/** The commits reachable from `start` but not from any ref of `record`, newest first. */
export function wouldLose(
  start: string | null,
  record: VolumeRecord,
  commits: Map<string, Commit>,
): Commit[] {
  const kept = reachableFrom(refTargets(record), commits);
  const lost: Commit[] = [];
  for (let id = start; id !== null;) {
    const commit = commits.get(id);
    if (!commit || kept.has(id)) break;
    lost.push(commit);
    id = commit.parent;
  }
  return lost;
}

/**
 * Deletes every commit (record and data) that no ref of `record` reaches; resolves to them. The record
 * goes first, so a crash in between leaves orphan data, which the next collection removes.
 */
export async function collectGarbage(
  paths: VolumePaths,
  driver: SnapshotDriver,
  record: VolumeRecord,
  commits: Map<string, Commit>,
): Promise<Commit[]> {
  const kept = reachableFrom(refTargets(record), commits);
  const removed: Commit[] = [];
  for (const commit of commits.values()) {
    if (kept.has(commit.id)) continue;
    await removeCommitRecord(paths, commit.id);
    await driver.removeCommit(commit.id);
    removed.push(commit);
  }
  const { commits: withData } = await driver.list();
  for (const id of withData) {
    const commit = commits.get(id);
    if (!kept.has(id) || commit?.dataDeleted) await driver.removeCommit(id);
  }
  return removed;
}
