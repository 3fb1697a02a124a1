// `pull` after its fetch: the active branch fast-forwards to `REMOTE/BRANCH` (a reset of its data to
// the tracking tip). Refused on divergence unless `stash`, which first keeps the local tip as a
// branch `<branch>-diverged-<time>`. `clone` starts a fresh volume's history the same way.

import { type VolumeContext, ensureClean, loadRecord, refContext } from '../context.js';
import * as branches from '../branches.js';
import { DvolError } from '../errors.js';
import { readCommit, writeVolumeRecord } from '../meta.js';
import { activeHead, withBranch, withoutBranch } from '../record-refs.js';
import { requireRemote } from '../remote-refs.js';
import { resolveRef } from '../refs.js';

export interface PullResult {
  branch: string;
  from: string | null;
  to: string | null;
  /** up-to-date: nothing to do; ahead: the local branch has the remote's tip already. */
  outcome: 'fast-forward' | 'up-to-date' | 'ahead' | 'stashed';
  /** With stash on divergence: the branch now holding the old local tip. */
  stash?: string;
}

/** Commit ids from `id` back to the root (a first-parent walk over local records). */
async function ancestry(ctx: VolumeContext, id: string | null): Promise<string[]> {
  const ids: string[] = [];
  for (let at = id; at !== null; at = (await readCommit(ctx.paths, at)).parent) ids.push(at);
  return ids;
}

function trackingTip(
  ctx: VolumeContext,
  remote: string,
  branch: string,
  record: Awaited<ReturnType<typeof loadRecord>>,
): string {
  const r = requireRemote(record, remote);
  if (!Object.hasOwn(r.branches, branch)) {
    throw new DvolError(
      'not_found',
      `remote '${remote}' has no branch '${branch}'`,
      `list its branches with 'dvol branch -r'`,
    );
  }
  return r.branches[branch]!;
}

/** Moves the active branch to `remote/branch` if that is a fast-forward; the caller holds the lock. */
export async function fastForward(
  ctx: VolumeContext,
  remote: string,
  branch: string,
  opts: { stash?: boolean; now?: Date } = {},
): Promise<PullResult> {
  let record = await loadRecord(ctx);
  const tip = trackingTip(ctx, remote, branch, record);
  const local = record.activeBranch;
  const head = activeHead(record);
  if (head === tip) return { branch: local, from: head, to: head, outcome: 'up-to-date' };
  // Checked again under the lock, with the containers stopped: a reset would discard what they wrote.
  await ensureClean(ctx, record);
  const theirs = await ancestry(ctx, tip);
  if (head !== null && !theirs.includes(head)) {
    const ours = await ancestry(ctx, head);
    if (ours.includes(tip)) return { branch: local, from: head, to: head, outcome: 'ahead' };
    if (!opts.stash) {
      const base = ours.find((id) => theirs.includes(id));
      const count = (ids: string[]) => (base === undefined ? ids.length : ids.indexOf(base));
      throw new DvolError(
        'conflict',
        `branch '${local}' and '${remote}/${branch}' have diverged (${count(ours)} and ${count(theirs)} commits of their own), so the pull was refused`,
        `keep yours and take theirs with 'dvol pull --stash', or look at theirs with 'dvol log ${remote}/${branch}'`,
      );
    }
    const stamp = (opts.now ?? new Date())
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const stash = `${local}-diverged-${stamp}`;
    await ctx.driver(record).branchFromCommit(head, stash);
    record = withBranch(record, stash, head);
    await writeVolumeRecord(ctx.paths, record);
    await branches.reset(ctx, tip, true);
    return { branch: local, from: head, to: tip, outcome: 'stashed', stash };
  }
  await branches.reset(ctx, tip, true);
  return { branch: local, from: head, to: tip, outcome: 'fast-forward' };
}

/**
 * A new volume's history starts at `remote/branch`: that branch is made (or master reset) at the
 * tracking tip and made active. The caller holds the lock; the volume has no commits.
 */
export async function startFrom(ctx: VolumeContext, remote: string, branch: string): Promise<void> {
  const record = await loadRecord(ctx);
  const tip = trackingTip(ctx, remote, branch, record);
  await resolveRef(refContext(ctx, record), tip); // it was imported
  if (branch === record.activeBranch) {
    await branches.reset(ctx, tip, true);
    return;
  }
  const old = record.activeBranch;
  await ctx.driver(record).branchFromCommit(tip, branch);
  await writeVolumeRecord(ctx.paths, {
    ...withoutBranch(withBranch(record, branch, tip), old),
    activeBranch: branch,
  });
  await ctx.driver(record).removeBranch(old);
}
