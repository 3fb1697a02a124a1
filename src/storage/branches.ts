// Branch operations on a volume: list, checkout -b, checkout, branch -d, and reset.

import { crashPoint } from './crashpoint.js';
import { DvolError } from './errors.js';
import { collectGarbage, wouldLose } from './gc.js';
import { runReset, writeIntent } from './journal.js';
import { readAllCommits, writeVolumeRecord, type VolumeRecord } from './meta.js';
import type { BranchInfo, Commit, ResetResult } from './model.js';
import { checkName } from './names.js';
import {
  activeHead,
  branchHead,
  hasBranch,
  withBranch,
  withoutBranch,
  withoutSnapshots,
} from './record-refs.js';
import { resolveRef } from './refs.js';
import {
  ensureClean,
  ensureHasData,
  ensureNotMounted,
  isDirty,
  loadRecord,
  refContext,
  short,
  type VolumeContext,
} from './context.js';

export function branchInfos(record: VolumeRecord): BranchInfo[] {
  return Object.entries(record.branches)
    .map(([name, head]) => ({ name, head, active: name === record.activeBranch }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function info(record: VolumeRecord, name: string): BranchInfo {
  return { name, head: branchHead(record, name) ?? null, active: name === record.activeBranch };
}

function branchNotFound(ctx: VolumeContext, name: string): DvolError {
  return new DvolError(
    'not_found',
    `branch '${name}' does not exist in volume '${ctx.name}'`,
    "list branches with 'dvol branch', or create one with 'dvol checkout -b NAME'",
  );
}

/** `checkout -b NAME`: a new branch from the active branch's head, made active. Order: data, then ref. */
export async function createBranch(ctx: VolumeContext, name: string): Promise<BranchInfo> {
  checkName('branch', name);
  const record = await loadRecord(ctx);
  if (hasBranch(record, name)) {
    throw new DvolError(
      'exists',
      `branch '${name}' already exists in volume '${ctx.name}'`,
      `switch to it with 'dvol checkout ${name}'`,
    );
  }
  const head = activeHead(record);
  if (head === null) {
    throw new DvolError(
      'invalid',
      `volume '${ctx.name}' has no commits yet`,
      "commit first with 'dvol commit -m ...': a branch starts from a commit",
    );
  }
  await ensureClean(ctx, record);
  ensureNotMounted(ctx, 'switched to a new branch');
  await ctx.driver(record).branchFromCommit(head, name);
  crashPoint('checkout-b:after-data');
  const next = { ...withBranch(record, name, head), activeBranch: name };
  await writeVolumeRecord(ctx.paths, next);
  crashPoint('checkout-b:after-ref');
  return info(next, name);
}

/** `checkout NAME`: makes an existing branch active; one rename of volume.json. */
export async function checkout(ctx: VolumeContext, name: string): Promise<BranchInfo> {
  checkName('branch', name);
  const record = await loadRecord(ctx);
  if (!hasBranch(record, name)) throw branchNotFound(ctx, name);
  if (record.activeBranch === name) return info(record, name);
  await ensureClean(ctx, record);
  ensureNotMounted(ctx, 'switched to another branch');
  const next = { ...record, activeBranch: name };
  await writeVolumeRecord(ctx.paths, next);
  return info(next, name);
}

/** `branch -d NAME`: the ref goes first (the commit point), then the branch's data and lost commits. */
export async function deleteBranch(
  ctx: VolumeContext,
  name: string,
  force = false,
): Promise<{ removed: Commit[] }> {
  checkName('branch', name);
  const record = await loadRecord(ctx);
  if (!hasBranch(record, name)) throw branchNotFound(ctx, name);
  if (record.activeBranch === name) {
    throw new DvolError(
      'conflict',
      `branch '${name}' is the active branch of volume '${ctx.name}', so it cannot be deleted`,
      "switch to another branch first with 'dvol checkout BRANCH'",
    );
  }
  // The branch's scheduled snapshots go with it: they hang off history nothing else may keep.
  const next = withoutSnapshots(withoutBranch(record, name), (_, s) => s.branch === name);
  const commits = await readAllCommits(ctx.paths);
  const lost = wouldLose(branchHead(record, name) ?? null, next, commits);
  if (lost.length > 0 && !force) {
    throw new DvolError(
      'conflict',
      `deleting branch '${name}' would delete ${describe(lost)} that no other branch or tag references`,
      `keep them with 'dvol tag NAME ${short(lost[0]!.id)}', or delete anyway with 'dvol branch -D ${name}'`,
    );
  }
  await writeVolumeRecord(ctx.paths, next);
  crashPoint('branch-d:after-ref');
  const driver = ctx.driver(next);
  await driver.removeBranch(name);
  await collectGarbage(ctx.paths, driver, next, commits);
  return { removed: lost };
}

/**
 * `reset --hard REF`: the active branch's data becomes exactly REF's; commits only it referenced are
 * deleted. A journal written first makes the whole reset roll forward after a crash.
 */
export async function reset(ctx: VolumeContext, ref: string, hard: boolean): Promise<ResetResult> {
  const record = await loadRecord(ctx);
  const branch = record.activeBranch;
  const target = await resolveRef(refContext(ctx, record), ref);
  const commits = await readAllCommits(ctx.paths);
  const next = withBranch(record, branch, target.id);
  const lost = wouldLose(activeHead(record), next, commits);
  if (!hard) await refuseSoftReset(ctx, record, ref, lost);
  ensureHasData(target, 'reset to');
  ensureNotMounted(ctx, 'reset');
  const intent = { op: 'reset' as const, branch, commit: target.id };
  await writeIntent(ctx.paths, intent);
  await runReset(ctx.paths, ctx.driver(record), record, intent);
  return { commit: target, removed: lost };
}

async function refuseSoftReset(ctx: VolumeContext, record: VolumeRecord, ref: string, lost: Commit[]) {
  const losses = lost.length > 0 ? [describe(lost)] : [];
  if (await isDirty(ctx, record)) losses.push('the uncommitted changes');
  const what = losses.length > 0 ? `would discard ${losses.join(' and ')}` : 'replaces the working data';
  throw new DvolError(
    'conflict',
    `resetting volume '${ctx.name}' to '${ref}' ${what}; dvol only resets with --hard`,
    lost.length > 0
      ? `keep the commits with 'dvol tag NAME ${short(lost[0]!.id)}' or 'dvol checkout -b NAME' first, or pass --hard`
      : `pass --hard: 'dvol reset --hard ${ref}'`,
  );
}

function describe(lost: Commit[]): string {
  const ids = lost.slice(0, 5).map((c) => short(c.id));
  const more = lost.length > 5 ? `, ... (${lost.length - 5} more)` : '';
  return `${lost.length} commit${lost.length === 1 ? '' : 's'} (${ids.join(', ')}${more})`;
}
