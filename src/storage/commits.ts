// Commit operations on a volume: commit, deleting a commit's data, and tags.

import { crashPoint } from './crashpoint.js';
import { DvolError } from './errors.js';
import { collectGarbage } from './gc.js';
import { newCommitId, readAllCommits, writeCommit, writeVolumeRecord } from './meta.js';
import type { Commit, TagInfo } from './model.js';
import { checkAuthor, checkMessage, checkName } from './names.js';
import { activeHead, tagOf, withBranch, withTag, withoutTag } from './record-refs.js';
import { resolveRef } from './refs.js';
import { loadRecord, refContext, short, type VolumeContext } from './context.js';

/**
 * Snapshots the active branch into a new commit. Order: data (driver.snapshot), the commit record, then
 * the branch ref in volume.json; the last rename is the commit point.
 */
export async function commit(ctx: VolumeContext, opts: { message: string; author: string }): Promise<Commit> {
  const message = checkMessage(opts.message);
  const author = checkAuthor(opts.author);
  const record = await loadRecord(ctx);
  const branch = record.activeBranch;
  const commit: Commit = {
    id: newCommitId(),
    parent: activeHead(record),
    message,
    author,
    date: new Date().toISOString(),
  };
  await ctx.driver(record).snapshot(branch, commit.id);
  crashPoint('commit:after-snapshot');
  await writeCommit(ctx.paths, commit);
  crashPoint('commit:after-record');
  await writeVolumeRecord(ctx.paths, withBranch(record, branch, commit.id));
  crashPoint('commit:after-ref');
  return commit;
}

/**
 * Deletes a commit's data to reclaim space: the record is rewritten with dataDeleted first, so a crash
 * leaves data nothing claims, which recovery removes.
 */
export async function deleteCommitData(ctx: VolumeContext, ref: string): Promise<Commit> {
  const record = await loadRecord(ctx);
  const target = await resolveRef(refContext(ctx, record), ref);
  const tips = Object.entries(record.branches).filter(([, head]) => head === target.id);
  const tags = Object.entries(record.tags).filter(([, tag]) => tag.commit === target.id);
  if (tips.length > 0 || tags.length > 0) {
    const holders = [...tips.map(([b]) => `the tip of branch '${b}'`), ...tags.map(([t]) => `tagged '${t}'`)];
    throw new DvolError(
      'conflict',
      `commit ${short(target.id)} is ${holders.join(' and ')}, so its data cannot be deleted`,
      'delete the tag, or reset or delete the branch first',
    );
  }
  if (target.dataDeleted) return target;
  const deleted: Commit = { ...target, dataDeleted: true };
  await writeCommit(ctx.paths, deleted);
  crashPoint('commit-rm:after-record');
  await ctx.driver(record).removeCommit(target.id);
  return deleted;
}

export async function listTags(ctx: VolumeContext): Promise<TagInfo[]> {
  const record = await loadRecord(ctx);
  return Object.entries(record.tags)
    .map(([name, tag]) => ({ name, ...tag }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Creates a tag (a read-only pointer that keeps its commit alive) at `ref`, default HEAD. */
export async function createTag(ctx: VolumeContext, name: string, ref = 'HEAD'): Promise<TagInfo> {
  checkName('tag', name);
  const record = await loadRecord(ctx);
  if (tagOf(record, name)) {
    throw new DvolError(
      'exists',
      `tag '${name}' already exists in volume '${ctx.name}'`,
      `delete it first with 'dvol tag -d ${name}'`,
    );
  }
  const target = await resolveRef(refContext(ctx, record), ref);
  const tag = { commit: target.id, date: new Date().toISOString() };
  await writeVolumeRecord(ctx.paths, withTag(record, name, tag));
  return { name, ...tag };
}

/** Deletes a tag; commits only it kept alive are collected with their data. */
export async function deleteTag(ctx: VolumeContext, name: string): Promise<void> {
  checkName('tag', name);
  const record = await loadRecord(ctx);
  if (!tagOf(record, name)) {
    throw new DvolError(
      'not_found',
      `tag '${name}' does not exist in volume '${ctx.name}'`,
      "list tags with 'dvol tag'",
    );
  }
  const next = withoutTag(record, name);
  await writeVolumeRecord(ctx.paths, next);
  await collectGarbage(ctx.paths, ctx.driver(next), next, await readAllCommits(ctx.paths));
}
