// Replacing a branch subvolume by a writable snapshot of a commit, crash-safely, and tidying up after.

import { promises as fs } from 'node:fs';

import { DvolError } from '../../errors.js';
import { deleteSubvolumes, snapshotSubvolume, syncBtrfs } from './cli.js';
import type { BtrfsLayout, TempKind } from './layout.js';
import { honourNocowMarker } from './options.js';
import { exists, listDir, removeTree } from '../fsutil.js';
import type { Trash } from '../trash.js';

/**
 * Makes `branch` a writable snapshot of `commit`. Steps: snapshot the commit to tmp/reset-new-B-<random>,
 * move the branch to tmp/reset-old-B, move the new snapshot into place, move reset-old-B into the trash,
 * which deletes it after the reply (deleting a subvolume whose files are in the page cache takes half a
 * second per 2 GiB). Every step is atomic (snapshot creation and rename are); nothing here flushes the
 * renames: the caller's sync does. A rerun after a crash: while reset-old-B exists and the branch does
 * not, reset-old-B is the old data being replaced; an unused reset-new is left to cleanup().
 */
export async function replaceBranch(
  layout: BtrfsLayout,
  trash: Trash,
  branch: string,
  commit: string,
): Promise<void> {
  const source = layout.commit(commit);
  const target = layout.branch(branch);
  const fresh = layout.temp('reset-new', branch);
  const old = layout.temp('reset-old', branch);
  if (!(await exists(source))) throw new DvolError('not_found', `commit '${commit}' has no data to reset to`);
  if (!(await exists(target)) && !(await exists(old))) {
    throw new DvolError('not_found', `branch '${branch}' has no data to reset`);
  }
  await fs.mkdir(layout.tmp, { recursive: true });
  await snapshotSubvolume(source, fresh, false);
  await honourNocowMarker(fresh);
  if (await exists(target)) {
    await trash.discard(old, noFlush); // a leftover of a crash: the branch is whole, so it is not needed
    await fs.rename(target, old);
  }
  await fs.rename(fresh, target);
  await trash.discard(old, noFlush);
}

/**
 * For a discard whose rename the caller makes durable with its own sync. Losing the rename in a crash
 * is harmless: the entry is then back where cleanup() deletes it (tmp/, or orphan data).
 */
export const noFlush = (): Promise<void> => Promise.resolve();

/** Deletes a subvolume, or a plain directory left where one was expected; absent is fine. */
export async function removeSubvolume(target: string, commit = false): Promise<void> {
  if (!(await exists(target))) return;
  try {
    await deleteSubvolumes([target], { commit });
  } catch (err) {
    // Not a subvolume (a directory made by hand or by an older layout): remove it as a tree.
    if (!/not a btrfs subvolume/i.test((err as Error).message)) throw err;
    await removeTree(target, `removing '${target}'`);
  }
}

const TEMP = /^(create|reset-new|reset-old|check)-(.+)$/;

/**
 * Finishes or undoes interrupted work under root/tmp: a branch moved aside by an interrupted reset is
 * moved back (its old state; rerunning resetBranch completes the reset), everything else is deleted.
 */
export async function tidyTemporaries(layout: BtrfsLayout): Promise<void> {
  for (const name of await listDir(layout.tmp)) {
    const match = TEMP.exec(name);
    const kind = match?.[1] as TempKind | undefined;
    const branch = match?.[2];
    const entry = `${layout.tmp}/${name}`;
    if (kind === 'reset-old' && branch && !(await exists(layout.branch(branch)))) {
      await fs.mkdir(layout.branches, { recursive: true });
      await fs.rename(entry, layout.branch(branch));
      await syncBtrfs(layout.root);
    } else {
      await removeSubvolume(entry, true);
    }
  }
}
