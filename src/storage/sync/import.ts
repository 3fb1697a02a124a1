// Brings a pushed commit into a volume with its id: its tree is restored from the remote into a
// temporary branch, snapshotted as that commit, and the branch is dropped. Data first, then the
// record; the caller moves a ref (the commit point), so a crash before it leaves only what recovery
// collects (a branch without a ref, a record no ref reaches).

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import type { VolumeContext } from '../context.js';
import { asDvolError } from '../errors.js';
import { writeCommit, type VolumeRecord } from '../meta.js';
import type { Commit } from '../model.js';
import type { BlobStore } from '../remotes/blobstore.js';
import type { HistoryEntry } from '../remotes/format/commit.js';
import { restoreTree } from '../remotes/format/restore.js';

const execFileAsync = promisify(execFile);

/** The local record of a commit as the remote describes it (dvol commits have one parent). */
export function commitFromRemote(entry: HistoryEntry): Commit {
  return {
    id: entry.id,
    parent: entry.parents[0] ?? null,
    message: entry.message,
    author: entry.author,
    date: entry.date,
    ...(entry.deleted ? { dataDeleted: true } : {}),
  };
}

/** Moves the restored tree's entries into the branch's directory and gives it the tree root's metadata. */
async function moveInto(incoming: string, dir: string): Promise<void> {
  for (const name of await fs.readdir(dir)) {
    if (name !== path.basename(incoming)) await fs.rm(path.join(dir, name), { recursive: true, force: true });
  }
  const root = await fs.lstat(incoming, { bigint: true });
  for (const name of await fs.readdir(incoming)) {
    await fs.rename(path.join(incoming, name), path.join(dir, name));
  }
  await fs.rmdir(incoming);
  await fs.chown(dir, Number(root.uid), Number(root.gid));
  await fs.chmod(dir, Number(root.mode) & 0o7777);
  // Nanoseconds, as the index keeps them (fs.utimes takes a double and loses them).
  const ns = root.mtimeNs;
  const stamp = `@${ns / 1_000_000_000n}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}`;
  await execFileAsync('touch', ['-m', '-d', stamp, dir]);
}

/**
 * Restores `entry` (whose manifest the remote holds) as a commit of the volume and writes its record.
 * A commit whose data was deleted gets its record only.
 */
export async function importCommit(
  ctx: VolumeContext,
  record: VolumeRecord,
  store: BlobStore,
  entry: HistoryEntry,
): Promise<Commit> {
  const commit = commitFromRemote(entry);
  if (!commit.dataDeleted) {
    const driver = ctx.driver(record);
    const branch = `import-${randomBytes(6).toString('hex')}`;
    await driver.createBranch(branch);
    try {
      const dir = driver.branchPath(branch);
      const incoming = path.join(dir, `.dvol-incoming-${randomBytes(4).toString('hex')}`);
      await restoreTree(store, entry.manifest, incoming);
      await moveInto(incoming, dir).catch((err: unknown) => {
        throw asDvolError(err, `moving commit ${commit.id} into place`);
      });
      await driver.snapshot(branch, commit.id);
    } finally {
      await driver.removeBranch(branch);
    }
  }
  await writeCommit(ctx.paths, commit);
  return commit;
}
