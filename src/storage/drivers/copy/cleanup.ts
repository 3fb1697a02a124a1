// Removes what interrupted operations left under a copy-based driver's root, finishing or undoing
// resets that were cut off between their two renames.

import { promises as fs } from 'node:fs';
import path from 'node:path';

import { exists, fsyncDir, listDir, removeTree } from '../fsutil.js';
import { CLOCK_FILE } from '../tree/manifest.js';
import type { ChangeTracker } from '../tree/tracker.js';
import type { Layout } from './layout.js';

/**
 * Empties tmp/, settles every staging area (a branch left without data gets the ready copy of its
 * reset if there is one, else its old data back), and drops manifests of branches that are gone.
 * (The driver empties trash/ itself, through its Trash.)
 */
export async function cleanupLayout(layout: Layout, tracker: ChangeTracker): Promise<void> {
  for (const name of await listDir(layout.tmp))
    await removeTree(path.join(layout.tmp, name), 'removing a partial copy');
  for (const branch of await listDir(layout.staging)) await settleStaging(layout, tracker, branch);
  const branches = new Set(await listDir(layout.branches));
  for (const file of await listDir(layout.manifests)) {
    if (file === CLOCK_FILE) continue;
    const branch = file.replace(/\.json$/, '');
    if (!branches.has(branch) || !file.endsWith('.json'))
      await fs.rm(path.join(layout.manifests, file), { force: true });
  }
}

async function settleStaging(layout: Layout, tracker: ChangeTracker, branch: string): Promise<void> {
  const stage = path.join(layout.staging, branch);
  const dst = layout.branch(branch);
  if (!(await exists(dst))) {
    const ready = (await listDir(stage)).find((n) => n.startsWith('ready-'));
    const from = ready !== undefined ? path.join(stage, ready) : path.join(stage, 'old');
    if (await exists(from)) {
      await tracker.forget(branch);
      await fs.rename(from, dst);
      await fsyncDir(layout.branches);
    }
  }
  await removeTree(stage, `removing the staging area of branch '${branch}'`);
}
