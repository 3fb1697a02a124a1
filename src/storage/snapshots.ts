// Scheduled snapshots of a volume: taken off HEAD without moving the branch, listed, and pruned by a
// retention policy that only ever deletes scheduled snapshots nothing else keeps.

import { crashPoint } from './crashpoint.js';
import { loadRecord, type VolumeContext } from './context.js';
import { collectGarbage, reachableFrom, userRefTargets } from './gc.js';
import { newCommitId, readAllCommits, writeCommit, writeVolumeRecord, type VolumeRecord } from './meta.js';
import type { Commit, ScheduledSnapshot } from './model.js';
import { checkAuthor, checkMessage } from './names.js';
import { activeHead, snapshotsOf, withSnapshot, withoutSnapshots } from './record-refs.js';
import { toDelete, type RetentionPolicy } from './schedule/retention.js';

/**
 * What the active branch's data is compared with before a snapshot: its newest snapshot taken off the
 * current HEAD (with data), else HEAD itself (null before the first commit: an empty tree).
 */
export function snapshotBaseline(record: VolumeRecord, commits: Map<string, Commit>): string | null {
  const head = activeHead(record);
  let newest: Commit | undefined;
  for (const [id] of snapshotsOf(record, record.activeBranch)) {
    const c = commits.get(id);
    if (!c || c.parent !== head || c.dataDeleted) continue;
    if (!newest || c.date > newest.date) newest = c;
  }
  return newest?.id ?? head;
}

/** See Volume.snapshotNeeded. */
export async function snapshotNeeded(ctx: VolumeContext): Promise<boolean> {
  const record = await loadRecord(ctx);
  const baseline = snapshotBaseline(record, await readAllCommits(ctx.paths));
  return ctx.driver(record).hasChanges(record.activeBranch, baseline);
}

/**
 * Takes a scheduled snapshot. Order as for a commit: data, the record, then volume.json with the
 * snapshot ref (the commit point); no branch moves.
 */
export async function takeSnapshot(
  ctx: VolumeContext,
  opts: { message: string; author: string; date: Date },
): Promise<Commit> {
  const record = await loadRecord(ctx);
  const branch = record.activeBranch;
  const date = opts.date.toISOString();
  const commit: Commit = {
    id: newCommitId(),
    parent: activeHead(record),
    message: checkMessage(opts.message),
    author: checkAuthor(opts.author),
    date,
    scheduled: true,
  };
  await ctx.driver(record).snapshot(branch, commit.id);
  crashPoint('snapshot:after-data');
  await writeCommit(ctx.paths, commit);
  crashPoint('snapshot:after-record');
  await writeVolumeRecord(ctx.paths, withSnapshot(record, commit.id, { branch, date }));
  return commit;
}

/** The ids retention must keep whatever the policy says: reached from a branch tip or a tag. */
function keptIds(record: VolumeRecord, commits: Map<string, Commit>): Set<string> {
  return reachableFrom(userRefTargets(record), commits);
}

/** See Volume.snapshots. */
export async function listSnapshots(ctx: VolumeContext, branch?: string): Promise<ScheduledSnapshot[]> {
  const record = await loadRecord(ctx);
  const commits = await readAllCommits(ctx.paths);
  const kept = keptIds(record, commits);
  const out: ScheduledSnapshot[] = [];
  for (const [id, ref] of snapshotsOf(record, branch)) {
    const commit = commits.get(id);
    if (commit) out.push({ commit, branch: ref.branch, kept: kept.has(id) });
  }
  return out.sort((a, b) => (a.commit.date < b.commit.date ? 1 : a.commit.date > b.commit.date ? -1 : 0));
}

/**
 * See Volume.pruneSnapshots. The refs go first in one rename of volume.json (the commit point), then
 * garbage collection deletes records and data: an interruption anywhere leaves garbage that the next
 * collection (or recovery on open) deletes, never a ref without its commit.
 */
export async function pruneSnapshots(
  ctx: VolumeContext,
  policy: RetentionPolicy,
  now: number,
): Promise<Commit[]> {
  const record = await loadRecord(ctx);
  const commits = await readAllCommits(ctx.paths);
  const kept = keptIds(record, commits);
  const byBranch = new Map<string, { id: string; takenAt: number; protected: boolean }[]>();
  for (const [id, ref] of snapshotsOf(record)) {
    const takenAt = Date.parse(ref.date);
    const list = byBranch.get(ref.branch) ?? [];
    list.push({ id, takenAt: Number.isNaN(takenAt) ? now : takenAt, protected: kept.has(id) });
    byBranch.set(ref.branch, list);
  }
  const doomed = new Set<string>();
  for (const list of byBranch.values()) for (const id of toDelete(list, policy, now)) doomed.add(id);
  if (doomed.size === 0) return [];
  const next = withoutSnapshots(record, (id) => doomed.has(id));
  await writeVolumeRecord(ctx.paths, next);
  crashPoint('prune:after-ref');
  return collectGarbage(ctx.paths, ctx.driver(next), next, commits);
}
