// Recovery of one volume on open: finish or undo whatever a crash interrupted, so fsck is clean after.

import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isAtomicTemp } from './atomic.js';
import { loadRecord, type VolumeContext } from './context.js';
import { collectGarbage } from './gc.js';
import { readIntent, runReset } from './journal.js';
import { listCommitIds, readAllCommits, writeVolumeRecord } from './meta.js';
import { hasBranch } from './record-refs.js';

/**
 * Brings a volume back to a state fsck accepts, choosing for each interrupted operation the side of its
 * commit point it reached:
 * - temp files of atomic writes and the driver's own leftovers go;
 * - a reset whose journal exists is carried out to the end (roll forward);
 * - a branch in volume.json without data gets it (an interrupted create: empty, or from its head);
 * - branch data without a ref, commit records no ref reaches, and commit data without a live record go
 *   (the ref was never written, or was moved away before the crash).
 */
export async function recoverVolume(ctx: VolumeContext): Promise<void> {
  for (const name of await readdir(ctx.paths.dir)) {
    if (isAtomicTemp(name)) await rm(join(ctx.paths.dir, name), { force: true });
  }
  await listCommitIds(ctx.paths, true);
  let record = await loadRecord(ctx);
  const driver = ctx.driver(record);
  await driver.cleanup();

  const intent = await readIntent(ctx.paths);
  if (intent && hasBranch(record, intent.branch)) {
    await runReset(ctx.paths, driver, record, intent);
    record = await loadRecord(ctx);
  } else if (intent) {
    await rm(ctx.paths.journal, { force: true });
  }
  if (!hasBranch(record, record.activeBranch)) {
    // Not a crash leftover (every write keeps it valid) but cheap to repair: fall back to a branch that exists.
    const first = Object.keys(record.branches).sort()[0];
    if (first !== undefined)
      await writeVolumeRecord(ctx.paths, (record = { ...record, activeBranch: first }));
  }

  const data = await driver.list();
  for (const [branch, head] of Object.entries(record.branches)) {
    if (data.branches.includes(branch)) continue;
    if (head === null) await driver.createBranch(branch);
    else await driver.branchFromCommit(head, branch);
  }
  for (const branch of data.branches) {
    if (!hasBranch(record, branch)) await driver.removeBranch(branch);
  }
  await collectGarbage(ctx.paths, driver, record, await readAllCommits(ctx.paths));
}
