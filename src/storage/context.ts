// What the volume operations share: where a volume lives, its driver, the mount table, and common checks.

import type { SnapshotDriver } from './drivers/driver.js';
import { DvolError } from './errors.js';
import { listCommitIds, readCommit, readVolumeRecord, type VolumePaths, type VolumeRecord } from './meta.js';
import type { Commit, MountTable } from './model.js';
import { activeHead } from './record-refs.js';
import type { RefContext } from './refs.js';

/** One volume as the operation modules see it. */
export interface VolumeContext {
  readonly name: string;
  readonly paths: VolumePaths;
  readonly mounts: MountTable;
  /** The driver for this volume (opened once and cached by the store). */
  driver(record: VolumeRecord): SnapshotDriver;
  /**
   * Throws once the store is closed (a handle kept past close() must not touch the directory), and
   * when recovery on open failed for this volume (its state is not known to be consistent).
   */
  assertUsable(): void;
}

/** Reads volume.json; 'not_found' when the volume does not exist (any more). */
export async function loadRecord(ctx: VolumeContext): Promise<VolumeRecord> {
  ctx.assertUsable();
  const record = await readVolumeRecord(ctx.paths);
  if (!record) throw volumeNotFound(ctx.name);
  return record;
}

export function volumeNotFound(name: string): DvolError {
  return new DvolError('not_found', `volume '${name}' does not exist`, "list volumes with 'dvol list'");
}

/** The inputs ref resolution needs, bound to one read of volume.json. */
export function refContext(ctx: VolumeContext, record: VolumeRecord): RefContext {
  return {
    volume: ctx.name,
    record,
    commitIds: () => listCommitIds(ctx.paths),
    readCommit: (id) => readCommit(ctx.paths, id),
  };
}

/** Throws 'in_use' while anything holds the volume mounted. */
export function ensureNotMounted(ctx: VolumeContext, doing: string): void {
  const count = ctx.mounts.count(ctx.name);
  if (count > 0) {
    throw new DvolError(
      'in_use',
      `volume '${ctx.name}' is mounted (${count} mount${count === 1 ? '' : 's'}), so it cannot be ${doing}`,
      'stop the containers using it first',
    );
  }
}

/** Whether the active branch's data differs from its head commit. */
export async function isDirty(ctx: VolumeContext, record: VolumeRecord): Promise<boolean> {
  const head = activeHead(record);
  return ctx.driver(record).hasChanges(record.activeBranch, head);
}

/** Throws 'dirty' with the seeds' wording when the active branch has uncommitted changes. */
export async function ensureClean(ctx: VolumeContext, record: VolumeRecord): Promise<void> {
  if (await isDirty(ctx, record)) {
    throw new DvolError(
      'dirty',
      `Volume ${ctx.name} has uncommitted changes. Please commit these before switching branches.`,
      `commit them with 'dvol commit -m ...', or discard them with 'dvol reset --hard HEAD'`,
    );
  }
}

/** Refuses to use a commit whose data was deleted to reclaim space. */
export function ensureHasData(commit: Commit, doing: string): void {
  if (commit.dataDeleted) {
    throw new DvolError(
      'not_found',
      `commit ${commit.id} has no data (it was deleted to reclaim space), so it cannot be ${doing}`,
      'pick another commit from the log',
    );
  }
}

/** The first 7 hex digits of an id, for messages. */
export function short(id: string): string {
  return id.slice(0, 7);
}
