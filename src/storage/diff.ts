// Volume.diff: resolves the two sides of a diff, then streams the driver's entries with the volume's
// lock held for as long as the caller iterates, so a reset cannot delete a commit being read.

import { ensureHasData, loadRecord, refContext, type VolumeContext } from './context.js';
import { addToTotals, emptyTotals, type DiffEntry } from './drivers/diff-entry.js';
import { readCommit } from './meta.js';
import type { Commit, VolumeDiff } from './model.js';
import { resolveRef } from './refs.js';

/** Runs work under the volume's lock (VolumeHandle.locked). */
export type Locked = <T>(fn: () => Promise<T>) => Promise<T>;

/**
 * `from` defaults to HEAD (an empty tree before the first commit); `to` defaults to the active
 * branch's working data ('working' says so explicitly).
 */
export async function diffVolume(
  ctx: VolumeContext,
  locked: Locked,
  from?: string,
  to?: string,
): Promise<VolumeDiff> {
  const range = await locked(async () => {
    const record = await loadRecord(ctx);
    const refs = refContext(ctx, record);
    const head = record.branches[record.activeBranch] ?? null;
    const fromCommit: Commit | null =
      from === undefined
        ? head === null
          ? null
          : await readCommit(ctx.paths, head)
        : await resolveRef(refs, from);
    const toCommit = to === undefined || to === 'working' ? null : await resolveRef(refs, to);
    for (const c of [fromCommit, toCommit]) if (c) ensureHasData(c, 'compared');
    return { from: fromCommit, to: toCommit, branch: record.activeBranch };
  });
  const totals = emptyTotals();
  const target = range.to === null ? { branch: range.branch } : { commit: range.to.id };
  const entries = holding(locked, async function* () {
    const driver = ctx.driver(await loadRecord(ctx));
    for await (const entry of driver.diff(range.from?.id ?? null, target)) {
      addToTotals(totals, entry);
      yield entry;
    }
  });
  return { ...range, entries, totals };
}

/**
 * Iterates `make()` while holding the lock: taken at the first next(), released when the iteration
 * ends, fails or is stopped early (return()). An iteration never started holds nothing.
 */
async function* holding(locked: Locked, make: () => AsyncGenerator<DiffEntry>): AsyncGenerator<DiffEntry> {
  let release!: () => void;
  let entered!: () => void;
  const inside = new Promise<void>((resolve) => (entered = resolve));
  const done = locked(() => {
    entered();
    return new Promise<void>((resolve) => (release = resolve));
  });
  await inside;
  try {
    yield* make();
  } finally {
    release();
    await done;
  }
}
