// The reset journal: an intent file written before a reset touches data, rolled forward on open.

import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDir, readJson, writeJsonAtomic } from './atomic.js';
import { crashPoint } from './crashpoint.js';
import type { SnapshotDriver } from './drivers/driver.js';
import { collectGarbage } from './gc.js';
import { readAllCommits, writeVolumeRecord, type VolumePaths, type VolumeRecord } from './meta.js';
import type { Commit } from './model.js';
import { withBranch } from './record-refs.js';

/** The content of volumes/NAME/journal.json. */
export interface ResetIntent {
  op: 'reset';
  branch: string;
  commit: string;
}

export async function readIntent(paths: VolumePaths): Promise<ResetIntent | undefined> {
  return readJson<ResetIntent>(paths.journal);
}

/**
 * Carries out a reset of `branch` to `commit` from its journal entry on: data (resetBranch, idempotent),
 * then the ref, then garbage collection, then the journal goes. Used by reset itself and by recovery,
 * so a crash anywhere after the journal is written ends, on the next open, exactly as if it had not.
 */
export async function runReset(
  paths: VolumePaths,
  driver: SnapshotDriver,
  record: VolumeRecord,
  intent: ResetIntent,
): Promise<Commit[]> {
  await driver.resetBranch(intent.branch, intent.commit);
  crashPoint('reset:after-data');
  const next = withBranch(record, intent.branch, intent.commit);
  await writeVolumeRecord(paths, next);
  crashPoint('reset:after-ref');
  const removed = await collectGarbage(paths, driver, next, await readAllCommits(paths));
  crashPoint('reset:after-gc');
  await rm(paths.journal, { force: true });
  await fsyncDir(dirname(paths.journal));
  return removed;
}

/** Writes the journal: from here on the reset will complete, now or at the next open. */
export async function writeIntent(paths: VolumePaths, intent: ResetIntent): Promise<void> {
  await writeJsonAtomic(paths.journal, intent);
  crashPoint('reset:after-journal');
}
