// The btrfs snapshot driver: a branch is a subvolume, a commit a read-only snapshot of it, a new branch
// or a reset a writable snapshot of a commit: each costs the same whatever the volume's size.

import { promises as fs } from 'node:fs';

import { DvolError, asDvolError } from '../../errors.js';
import {
  createSubvolume,
  deleteSubvolumes,
  setProperty,
  snapshotSubvolume,
  subvolumeGenerations,
  syncBtrfs,
} from './cli.js';
import { BtrfsLayout, readBaseline, removeBaseline, writeBaseline } from './layout.js';
import {
  applyBtrfsSettings,
  btrfsOptions,
  honourNocowMarker,
  parseBtrfsOptions,
  type BtrfsSettings,
} from './options.js';
import { assertOnBtrfs, probeBtrfs } from './probe.js';
import { removeSubvolume, replaceBranch, tidyTemporaries } from './reset.js';
import { Trash } from '../trash.js';
import { subvolumeSize } from './size.js';
import { firstRealChange } from './verify.js';
import type { DataSize, DriverFactory, DriverOptions, SnapshotDriver } from '../driver.js';
import { exists, listDir, removeTree } from '../fsutil.js';
import { isEmptyBranch } from './empty.js';
import { btrfsDiff } from './diff.js';
import type { DiffEntry } from '../diff-entry.js';
import { diffTrees } from '../tree/diff-trees.js';

/** The inode number of every btrfs subvolume's root directory (BTRFS_FIRST_FREE_OBJECTID). */
const SUBVOLUME_ROOT_INODE = 256;

/** How the last hasChanges call decided, for tests and benchmarks: 'generation' is the fast path. */
export type ChangeCheck = 'empty' | 'generation' | 'send';

export class BtrfsDriver implements SnapshotDriver {
  readonly name = 'btrfs' as const;
  lastCheck: ChangeCheck | undefined;
  private readonly layout: BtrfsLayout;
  private readonly settings: BtrfsSettings;
  /** Subvolumes replaced or removed, deleted after the operation answered. */
  private readonly trash: Trash;

  constructor(opts: DriverOptions) {
    this.settings = parseBtrfsOptions(opts.options);
    assertOnBtrfs(opts.root);
    this.layout = new BtrfsLayout(opts.root);
    this.trash = new Trash(this.layout.trash, (entry) => removeSubvolume(entry));
  }

  branchPath(branch: string): string {
    return this.layout.branch(branch);
  }

  commitPath(commit: string): string {
    return this.layout.commit(commit);
  }

  async createBranch(branch: string): Promise<void> {
    const target = this.layout.branch(branch);
    await this.mustNotExist(target, `branch '${branch}'`);
    await guard(`creating branch '${branch}'`, async () => {
      // Built under tmp/ so a crash never leaves a branch without its options under its real name.
      const staging = this.layout.temp('create', branch);
      await fs.mkdir(this.layout.tmp, { recursive: true });
      await fs.mkdir(this.layout.branches, { recursive: true });
      await createSubvolume(staging);
      await fs.chmod(staging, 0o755);
      await applyBtrfsSettings(staging, this.settings);
      await fs.rename(staging, target);
      await syncBtrfs(target);
    });
  }

  async snapshot(branch: string, commit: string): Promise<void> {
    const source = await this.existingBranch(branch);
    const target = this.layout.commit(commit);
    await this.mustNotExist(target, `commit '${commit}'`);
    await guard(`committing branch '${branch}'`, async () => {
      await honourNocowMarker(source);
      await fs.mkdir(this.layout.commits, { recursive: true });
      await snapshotSubvolume(source, target, true);
      // The snapshot bumped the branch's generation to the snapshot's own creation transaction: any
      // later write raises it above that.
      const { created } = await subvolumeGenerations(target);
      await writeBaseline(this.layout, branch, { commit, generation: created });
    });
  }

  async beforeMount(branch: string): Promise<void> {
    const data = await this.existingBranch(branch);
    await guard(`preparing branch '${branch}' for a container`, () => honourNocowMarker(data));
  }

  async branchFromCommit(commit: string, branch: string): Promise<void> {
    const source = await this.existingCommit(commit);
    const target = this.layout.branch(branch);
    await this.mustNotExist(target, `branch '${branch}'`);
    await guard(`creating branch '${branch}' from commit '${commit}'`, async () => {
      await fs.mkdir(this.layout.branches, { recursive: true });
      await snapshotSubvolume(source, target, false);
      await honourNocowMarker(target);
      await this.recordFreshBaseline(branch, commit);
    });
  }

  async resetBranch(branch: string, commit: string): Promise<void> {
    await guard(`resetting branch '${branch}' to commit '${commit}'`, async () => {
      await replaceBranch(this.layout, this.trash, branch, commit);
      await this.recordFreshBaseline(branch, commit); // its sync makes the renames durable
    });
  }

  async removeBranch(branch: string): Promise<void> {
    await guard(`removing branch '${branch}'`, async () => {
      await this.trash.discard(this.layout.branch(branch), () => syncBtrfs(this.layout.root));
      await removeBaseline(this.layout, branch);
    });
  }

  async removeCommit(commit: string): Promise<void> {
    await guard(`removing commit '${commit}'`, async () => {
      const target = this.layout.commit(commit);
      const st = await fs.lstat(target).catch(() => undefined);
      if (st === undefined) return;
      // A read-only subvolume cannot move to another directory (its '..' would change): make it
      // writable first. Only unreferenced data is removed, so a crash in between leaves a writable
      // commit that the next garbage collection deletes. (A plain directory there, from an older
      // layout, has no such flag: a subvolume's root is always inode 256.)
      if (st.ino === SUBVOLUME_ROOT_INODE) await setProperty(target, 'ro', 'false');
      await this.trash.discard(target, () => syncBtrfs(this.layout.root));
    });
  }

  async hasChanges(branch: string, commit: string | null): Promise<boolean> {
    const current = await this.existingBranch(branch);
    if (commit === null) {
      this.lastCheck = 'empty';
      return !(await isEmptyBranch(current));
    }
    const parent = await this.existingCommit(commit);
    return guard(`checking branch '${branch}' for changes`, async () => {
      // Recent writes reach the subvolume's generation only when their transaction commits.
      await syncBtrfs(current);
      const baseline = await readBaseline(this.layout, branch);
      if (baseline?.commit === commit) {
        const { generation } = await subvolumeGenerations(current);
        this.lastCheck = 'generation';
        if (generation === baseline.generation) return false;
      }
      this.lastCheck = 'send';
      return this.compareBySend(branch, commit, current, parent);
    });
  }

  /** Snapshots the branch read-only and lets a metadata-only send stream tell what differs. */
  private async compareBySend(
    branch: string,
    commit: string,
    current: string,
    parent: string,
  ): Promise<boolean> {
    const check = this.layout.temp('check', branch);
    await fs.mkdir(this.layout.tmp, { recursive: true });
    await snapshotSubvolume(current, check, true);
    try {
      const change = await firstRealChange(parent, check);
      if (change) return true;
      // Equal at the check snapshot's transaction (an atime update moved the generation, say):
      // remember that so the next call takes the fast path.
      const { created } = await subvolumeGenerations(check);
      await writeBaseline(this.layout, branch, { commit, generation: created });
      return false;
    } finally {
      await deleteSubvolumes([check], { commit: false });
    }
  }

  /** See SnapshotDriver.diff: a metadata-only send stream; working data via a temporary snapshot. */
  async *diff(from: string | null, to: { branch: string } | { commit: string }): AsyncGenerator<DiffEntry> {
    const parent = from === null ? null : await this.existingCommit(from);
    if ('commit' in to) {
      const target = await this.existingCommit(to.commit);
      yield* parent === null ? diffTrees(null, target) : btrfsDiff(parent, target);
      return;
    }
    const current = await this.existingBranch(to.branch);
    const check = this.layout.temp('check', to.branch);
    await guard(`snapshotting branch '${to.branch}' to compare it`, async () => {
      await fs.mkdir(this.layout.tmp, { recursive: true });
      await snapshotSubvolume(current, check, true);
    });
    try {
      yield* parent === null ? diffTrees(null, check) : btrfsDiff(parent, check);
    } finally {
      await deleteSubvolumes([check], { commit: false });
    }
  }

  async size(of: { branch: string } | { commit: string }): Promise<DataSize> {
    const target =
      'branch' in of ? await this.existingBranch(of.branch) : await this.existingCommit(of.commit);
    return guard(`measuring '${target}'`, () => subvolumeSize(target));
  }

  async list(): Promise<{ branches: string[]; commits: string[] }> {
    return { branches: await listDir(this.layout.branches), commits: await listDir(this.layout.commits) };
  }

  idle(): Promise<void> {
    return this.trash.idle();
  }

  async cleanup(): Promise<void> {
    await guard('cleaning up the btrfs driver', async () => {
      await this.trash.empty();
      await tidyTemporaries(this.layout);
      const branches = new Set(await listDir(this.layout.branches));
      for (const name of await listDir(this.layout.baselines)) {
        if (!branches.has(name)) await fs.rm(`${this.layout.baselines}/${name}`, { force: true });
      }
    });
  }

  async destroy(): Promise<void> {
    await guard(`destroying '${this.layout.root}'`, async () => {
      await this.trash.idle();
      if (!(await exists(this.layout.root))) return;
      await this.trash.empty();
      await tidyTemporaries(this.layout);
      const subvolumes = [
        ...(await listDir(this.layout.branches)).map((b) => this.layout.branch(b)),
        ...(await listDir(this.layout.commits)).map((c) => this.layout.commit(c)),
      ];
      for (const subvolume of subvolumes) await removeSubvolume(subvolume);
      await syncBtrfs(this.layout.root);
      await removeTree(this.layout.root, `removing '${this.layout.root}'`);
    });
  }

  /** After a writable snapshot of `commit` became the branch: the branch equals the commit now. */
  private async recordFreshBaseline(branch: string, commit: string): Promise<void> {
    const target = this.layout.branch(branch);
    await syncBtrfs(target);
    const { generation } = await subvolumeGenerations(target);
    await writeBaseline(this.layout, branch, { commit, generation });
  }

  private async existingBranch(branch: string): Promise<string> {
    const p = this.layout.branch(branch);
    if (!(await exists(p))) throw new DvolError('not_found', `branch '${branch}' has no data`);
    return p;
  }

  private async existingCommit(commit: string): Promise<string> {
    const p = this.layout.commit(commit);
    if (!(await exists(p))) throw new DvolError('not_found', `commit '${commit}' has no data`);
    return p;
  }

  private async mustNotExist(p: string, what: string): Promise<void> {
    if (await exists(p)) throw new DvolError('exists', `${what} already has data`);
  }
}

/** Runs `work`, turning system errors (ENOSPC...) into DvolErrors that say what we were doing. */
async function guard<T>(doing: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw asDvolError(err, doing);
  }
}

/** The btrfs driver's factory, for the registry in ../index.ts. */
export const btrfsFactory: DriverFactory<'btrfs'> = {
  name: 'btrfs',
  // A snapshot is one ioctl on the subvolume: what a crash at that instant would have left.
  capabilities: {
    atomicSnapshots: true,
    exclusiveBytes:
      "btrfs qgroups when quotas are enabled (exact), else extents no other subvolume shares ('btrfs filesystem du'): an estimate that misses extents shared only with commits deleted too",
  },
  options: btrfsOptions,
  checkOptions: (options) => void parseBtrfsOptions(options),
  probe: probeBtrfs,
  open: (opts) => new BtrfsDriver(opts),
};
