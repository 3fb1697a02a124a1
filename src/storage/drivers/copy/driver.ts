// The snapshot driver of plain and reflink: branches and commits are directories, and snapshot,
// branch and reset are full copies made with GNU cp (sharing blocks with --reflink=always).

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

import { DvolError, asDvolError } from '../../errors.js';
import type { DataSize, DriverOptions, SnapshotDriver } from '../driver.js';
import { exists, fsyncDir, listDir, removeTree, syncFilesystem } from '../fsutil.js';
import type { DiffEntry } from '../diff-entry.js';
import type { Difference } from '../tree/compare.js';
import type { Manifest } from '../tree/manifest.js';
import { diffTrees } from '../tree/diff-trees.js';
import { describeDifferences } from '../tree/diff-working.js';
import { measureTree } from '../tree/measure.js';
import { ChangeTracker } from '../tree/tracker.js';
import { Trash } from '../trash.js';
import { FSCK_HINT, Layout } from './layout.js';
import { copyTree, type CopyMode } from './copy-tree.js';
import { resetBranch } from './reset.js';
import { cleanupLayout } from './cleanup.js';

/** A SnapshotDriver whose snapshots are copies: full (plain) or block-sharing (reflink). */
export class CopyDriver implements SnapshotDriver {
  private readonly layout: Layout;
  private readonly tracker: ChangeTracker;
  private readonly trash: Trash;
  private prepared?: Promise<void>;

  constructor(
    readonly name: 'plain' | 'reflink',
    opts: DriverOptions,
    private readonly mode: CopyMode,
  ) {
    this.layout = new Layout(opts.root);
    this.tracker = new ChangeTracker(this.layout.manifests);
    this.trash = new Trash(this.layout.trash, (entry) => removeTree(entry, 'emptying the trash'));
  }

  branchPath(branch: string): string {
    return this.layout.branch(branch);
  }

  commitPath(commit: string): string {
    return this.layout.commit(commit);
  }

  createBranch(branch: string): Promise<void> {
    return this.guard(`creating branch '${branch}'`, async () => {
      const dst = await this.absent('branch', this.layout.branch(branch));
      const tmp = this.tmpPath();
      await fs.mkdir(tmp, { mode: 0o755 });
      await fs.chmod(tmp, 0o755); // the umask may have cleared bits
      const recorded = await this.tracker.recordCopy(tmp, null);
      await this.install(tmp, dst, recorded);
    });
  }

  snapshot(branch: string, commit: string): Promise<void> {
    return this.guard(`snapshotting branch '${branch}'`, async () => {
      const src = await this.present('branch', branch, this.layout.branch(branch));
      const dst = await this.absent('commit', this.layout.commit(commit));
      const walked = await this.tracker.beforeSnapshot(src);
      const tmp = await this.copyToTmp(src);
      await this.install(tmp, dst);
      await this.tracker.afterSnapshot(branch, walked, commit, dst);
    });
  }

  branchFromCommit(commit: string, branch: string): Promise<void> {
    return this.guard(`creating branch '${branch}' from commit ${commit}`, async () => {
      const src = await this.present('commit', commit, this.layout.commit(commit));
      const dst = await this.absent('branch', this.layout.branch(branch));
      const tmp = await this.copyToTmp(src);
      const recorded = await this.tracker.recordCopy(tmp, commit);
      await this.install(tmp, dst, recorded);
    });
  }

  resetBranch(branch: string, commit: string): Promise<void> {
    return this.guard(`resetting branch '${branch}' to commit ${commit}`, async () => {
      await this.prepare();
      await this.present('commit', commit, this.layout.commit(commit));
      await resetBranch(this.layout, this.tracker, this.mode, branch, commit, (dir) =>
        this.trash.discard(dir),
      );
    });
  }

  removeBranch(branch: string): Promise<void> {
    return this.guard(`removing branch '${branch}'`, async () => {
      await this.prepare();
      await this.tracker.forget(branch);
      await this.trash.discard(this.layout.branch(branch));
      await removeTree(this.layout.stagingOf(branch), `removing the staging area of branch '${branch}'`);
    });
  }

  removeCommit(commit: string): Promise<void> {
    return this.guard(`removing commit ${commit}`, async () => {
      await this.prepare();
      await this.trash.discard(this.layout.commit(commit));
    });
  }

  hasChanges(branch: string, commit: string | null): Promise<boolean> {
    return this.guard(`checking branch '${branch}' for changes`, async () => {
      const [branchDir, commitDir] = await this.compared(branch, commit);
      return this.tracker.hasChanges(branch, branchDir, commit, commitDir);
    });
  }

  /** Every difference between a branch and a commit (null: empty), for `dvol diff`. */
  async *differences(branch: string, commit: string | null): AsyncGenerator<Difference> {
    const [branchDir, commitDir] = await this.compared(branch, commit);
    yield* this.tracker.differences(branch, branchDir, commit, commitDir);
  }

  /** See SnapshotDriver.diff: the tracker's stream for working data, a merged walk for two commits. */
  async *diff(from: string | null, to: { branch: string } | { commit: string }): AsyncGenerator<DiffEntry> {
    try {
      if ('branch' in to) {
        const [branchDir, commitDir] = await this.compared(to.branch, from);
        const found = this.tracker.differences(to.branch, branchDir, from, commitDir);
        yield* describeDifferences(found, commitDir, branchDir);
      } else {
        const fromDir = from === null ? null : await this.present('commit', from, this.layout.commit(from));
        yield* diffTrees(fromDir, await this.present('commit', to.commit, this.layout.commit(to.commit)));
      }
    } catch (err) {
      throw asDvolError(err, 'comparing data');
    }
  }

  size(of: { branch: string } | { commit: string }): Promise<DataSize> {
    const [kind, name, dir] =
      'branch' in of
        ? (['branch', of.branch, this.layout.branch(of.branch)] as const)
        : (['commit', of.commit, this.layout.commit(of.commit)] as const);
    return this.guard(`measuring ${kind} '${name}'`, async () => {
      await this.present(kind, name, dir);
      const { bytes, allocated } = await measureTree(dir);
      // A full copy shares nothing: deleting it frees all its blocks. Reflink copies share blocks
      // with their source in ways only the filesystem knows.
      return this.mode === 'never' ? { bytes, exclusive: allocated } : { bytes };
    });
  }

  list(): Promise<{ branches: string[]; commits: string[] }> {
    return this.guard('listing branches and commits', async () => ({
      branches: await listDir(this.layout.branches),
      commits: await listDir(this.layout.commits),
    }));
  }

  idle(): Promise<void> {
    return this.trash.idle();
  }

  cleanup(): Promise<void> {
    return this.guard('cleaning up interrupted work', async () => {
      await this.prepare();
      await this.trash.empty();
      await cleanupLayout(this.layout, this.tracker);
    });
  }

  destroy(): Promise<void> {
    return this.guard('destroying the volume data', async () => {
      await this.trash.idle();
      await removeTree(this.layout.root, 'destroying the volume data');
    });
  }

  /** Creates the layout's directories once per driver instance. */
  private prepare(): Promise<void> {
    this.prepared ??= (async () => {
      for (const dir of this.layout.all) await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    })();
    return this.prepared.catch((err: unknown) => {
      this.prepared = undefined;
      throw err;
    });
  }

  /** A fresh name under tmp/ (created by whoever uses it). */
  private tmpPath(): string {
    return path.join(this.layout.tmp, randomBytes(8).toString('hex'));
  }

  /** Copies `src` to a fresh tmp/ path; a failed copy (a full disk) is removed at once, not at cleanup. */
  private async copyToTmp(src: string): Promise<string> {
    const tmp = this.tmpPath();
    try {
      await copyTree(src, tmp, this.mode);
    } catch (err) {
      await removeTree(tmp, 'removing a failed copy').catch(() => undefined);
      throw err;
    }
    return tmp;
  }

  /**
   * Makes a finished copy durable, then makes it appear at `dst` atomically and durably. For a new
   * branch, `recorded` is its walk: sealed just before the rename and saved as its manifest.
   */
  private async install(tmp: string, dst: string, recorded?: { seal(): Manifest }): Promise<void> {
    await syncFilesystem(tmp, `flushing ${path.basename(dst)} to disk`);
    const manifest = recorded?.seal();
    await fs.rename(tmp, dst);
    await fsyncDir(path.dirname(dst));
    if (manifest) await this.tracker.save(path.basename(dst), manifest);
  }

  private async compared(branch: string, commit: string | null): Promise<[string, string | null]> {
    const branchDir = await this.present('branch', branch, this.layout.branch(branch));
    const commitDir =
      commit === null ? null : await this.present('commit', commit, this.layout.commit(commit));
    return [branchDir, commitDir];
  }

  private async present(kind: 'branch' | 'commit', name: string, dir: string): Promise<string> {
    if (await exists(dir)) return dir;
    throw new DvolError('not_found', `${kind} '${name}' has no data in the ${this.name} driver`, FSCK_HINT);
  }

  private async absent(kind: 'branch' | 'commit', dir: string): Promise<string> {
    await this.prepare();
    if (!(await exists(dir))) return dir;
    throw new DvolError(
      'exists',
      `${kind} '${path.basename(dir)}' already has data in the ${this.name} driver`,
      FSCK_HINT,
    );
  }

  /** Runs an operation, turning system errors (ENOSPC, ...) into DvolErrors that say what we were doing. */
  private async guard<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw asDvolError(err, doing);
    }
  }
}
