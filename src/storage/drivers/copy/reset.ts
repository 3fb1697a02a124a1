// The crash-safe, idempotent reset of a branch to a commit: a staged copy of the commit, then renames.

import { promises as fs } from 'node:fs';
import path from 'node:path';

import { DvolError } from '../../errors.js';
import { exists, fsyncDir, removeTree, syncFilesystem } from '../fsutil.js';
import type { ChangeTracker } from '../tree/tracker.js';
import { copyTree, type CopyMode } from './copy-tree.js';
import { FSCK_HINT } from './layout.js';
import type { Layout } from './layout.js';

/** The staging directories of one branch's reset: `copying` → `ready-<commit>` → the branch; old → deleted. */
export function stagingPaths(layout: Layout, branch: string, commit: string) {
  const stage = layout.stagingOf(branch);
  return {
    stage,
    copying: path.join(stage, 'copying'),
    ready: path.join(stage, `ready-${commit}`),
    old: path.join(stage, 'old'),
  };
}

/**
 * Replaces a branch's data with a commit's. Steps, each safe to interrupt and rerun:
 * 1. forget the manifest; 2. copy the commit to `copying`, flush, rename to `ready-<commit>`;
 * 3. rename the branch to `old`; 4. rename `ready-<commit>` to the branch; 5. `discard` the staging
 * area (with the old data). A rerun after step 3 finds no branch but a ready copy and finishes;
 * cleanup() can finish it too.
 */
export async function resetBranch(
  layout: Layout,
  tracker: ChangeTracker,
  mode: CopyMode,
  branch: string,
  commit: string,
  discard: (dir: string) => Promise<void>,
): Promise<void> {
  const dst = layout.branch(branch);
  const { stage, copying, ready, old } = stagingPaths(layout, branch, commit);
  const branchExists = await exists(dst);
  if (!branchExists && !(await exists(ready)) && !(await exists(old))) {
    throw new DvolError('not_found', `branch '${branch}' has no data to reset`, FSCK_HINT);
  }
  await tracker.forget(branch);
  await fs.mkdir(stage, { recursive: true, mode: 0o700 });
  if (!(await exists(ready))) {
    await removeTree(copying, 'removing an interrupted copy');
    try {
      await copyTree(layout.commit(commit), copying, mode);
    } catch (err) {
      await removeTree(copying, 'removing a failed copy').catch(() => undefined);
      throw err;
    }
    await syncFilesystem(copying, `flushing the copy of commit ${commit}`);
    await fs.rename(copying, ready);
    await fsyncDir(stage);
  }
  // Walk while the copy is still private: no one can change it behind the walk's back.
  const recorded = await tracker.recordCopy(ready, commit);
  if (branchExists) {
    await removeTree(old, 'removing an old copy');
    await fs.rename(dst, old);
    await fsyncDir(stage);
  }
  const manifest = recorded.seal();
  await fs.rename(ready, dst);
  await fsyncDir(layout.branches);
  await tracker.save(branch, manifest);
  await discard(stage);
}
