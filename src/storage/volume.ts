// The Volume handle: binds the operation modules to one volume and serializes its mutating calls.

import * as branches from './branches.js';
import * as commits from './commits.js';
import { ensureClean, isDirty, loadRecord, refContext, type VolumeContext } from './context.js';
import { diffVolume } from './diff.js';
import { diskUsage } from './du.js';
import { fsckVolume } from './fsck.js';
import { readCommit, writeVolumeRecord, type VolumeRecord } from './meta.js';
import type {
  BranchInfo,
  Commit,
  DuReport,
  FsckProblem,
  ResetResult,
  ScheduledSnapshot,
  Status,
  TagInfo,
  Volume,
  VolumeDiff,
  VolumeInfo,
} from './model.js';
import type { KeyedMutex } from './mutex.js';
import { activeHead } from './record-refs.js';
import { resolveRef } from './refs.js';
import type { RetentionPolicy } from './schedule/retention.js';
import * as snapshots from './snapshots.js';
import type { BlobStore } from './remotes/blobstore.js';
import { type FetchOptions, type FetchResult, fetchRemote } from './sync/fetch.js';
import { type PullResult, fastForward, startFrom } from './sync/pull.js';
import { type PushOptions, type PushResult, pushBranch } from './sync/push.js';
import { type RemoteInfo, addRemote, listRemotes, removeRemote } from './sync/remotes.js';

/** VolumeInfo from volume.json alone (what Docker's Get needs: no walk of the data). */
export function volumeInfo(record: VolumeRecord): VolumeInfo {
  return {
    name: record.name,
    createdAt: record.createdAt,
    driver: record.driver,
    options: record.options,
    activeBranch: record.activeBranch,
    head: activeHead(record),
    branchCount: Object.keys(record.branches).length,
    exclusive: record.exclusive === true,
  };
}

/** A Volume bound to a store; every call that reads data or changes anything holds the volume's lock. */
export class VolumeHandle implements Volume {
  constructor(
    private readonly ctx: VolumeContext,
    private readonly mutex: KeyedMutex,
  ) {}

  get name(): string {
    return this.ctx.name;
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    return this.mutex.run(this.ctx.name, fn);
  }

  async info(): Promise<VolumeInfo> {
    return volumeInfo(await loadRecord(this.ctx));
  }

  status(): Promise<Status> {
    return this.locked(async () => {
      const record = await loadRecord(this.ctx);
      const head = activeHead(record);
      return {
        volume: this.name,
        branch: record.activeBranch,
        head: head === null ? null : await readCommit(this.ctx.paths, head),
        dirty: await isDirty(this.ctx, record),
      };
    });
  }

  ensureClean(): Promise<void> {
    return this.locked(async () => ensureClean(this.ctx, await loadRecord(this.ctx)));
  }

  async dataPath(): Promise<string> {
    const record = await loadRecord(this.ctx);
    return this.ctx.driver(record).branchPath(record.activeBranch);
  }

  async mountPath(): Promise<string> {
    const record = await loadRecord(this.ctx);
    const driver = this.ctx.driver(record);
    await driver.beforeMount?.(record.activeBranch);
    return driver.branchPath(record.activeBranch);
  }

  commit(opts: { message: string; author: string }): Promise<Commit> {
    return this.locked(() => commits.commit(this.ctx, opts));
  }

  /** Locked too: a concurrent reset may delete the records this walks. */
  log(ref = 'HEAD'): Promise<Commit[]> {
    return this.locked(() => this.walkLog(ref));
  }

  private async walkLog(ref: string): Promise<Commit[]> {
    const record = await loadRecord(this.ctx);
    if (ref === 'HEAD' && activeHead(record) === null) return [];
    const log: Commit[] = [await resolveRef(refContext(this.ctx, record), ref)];
    for (let parent = log[0]!.parent; parent !== null; parent = log[log.length - 1]!.parent) {
      log.push(await readCommit(this.ctx.paths, parent));
    }
    return log;
  }

  resolve(ref: string): Promise<Commit> {
    return this.locked(async () => resolveRef(refContext(this.ctx, await loadRecord(this.ctx)), ref));
  }

  deleteCommitData(ref: string): Promise<Commit> {
    return this.locked(() => commits.deleteCommitData(this.ctx, ref));
  }

  async branches(): Promise<BranchInfo[]> {
    return branches.branchInfos(await loadRecord(this.ctx));
  }

  createBranch(name: string): Promise<BranchInfo> {
    return this.locked(() => branches.createBranch(this.ctx, name));
  }

  checkout(name: string): Promise<BranchInfo> {
    return this.locked(() => branches.checkout(this.ctx, name));
  }

  deleteBranch(name: string, opts?: { force?: boolean }): Promise<{ removed: Commit[] }> {
    return this.locked(() => branches.deleteBranch(this.ctx, name, opts?.force ?? false));
  }

  reset(ref: string, opts: { hard: boolean }): Promise<ResetResult> {
    return this.locked(() => branches.reset(this.ctx, ref, opts.hard));
  }

  tags(): Promise<TagInfo[]> {
    return commits.listTags(this.ctx);
  }

  createTag(name: string, ref?: string): Promise<TagInfo> {
    return this.locked(() => commits.createTag(this.ctx, name, ref));
  }

  deleteTag(name: string): Promise<void> {
    return this.locked(() => commits.deleteTag(this.ctx, name));
  }

  fsck(): Promise<FsckProblem[]> {
    return this.locked(() => fsckVolume(this.ctx));
  }

  snapshotNeeded(): Promise<boolean> {
    return this.locked(() => snapshots.snapshotNeeded(this.ctx));
  }

  snapshot(opts: { message: string; author: string; date: Date }): Promise<Commit> {
    return this.locked(() => snapshots.takeSnapshot(this.ctx, opts));
  }

  snapshots(branch?: string): Promise<ScheduledSnapshot[]> {
    return this.locked(() => snapshots.listSnapshots(this.ctx, branch));
  }

  pruneSnapshots(policy: RetentionPolicy, now: number): Promise<Commit[]> {
    return this.locked(() => snapshots.pruneSnapshots(this.ctx, policy, now));
  }

  du(): Promise<DuReport> {
    return this.locked(() => diskUsage(this.ctx));
  }

  setExclusive(exclusive: boolean): Promise<VolumeInfo> {
    return this.locked(async () => {
      const { exclusive: _was, ...record } = await loadRecord(this.ctx);
      const next = exclusive ? { ...record, exclusive } : record;
      await writeVolumeRecord(this.ctx.paths, next);
      return volumeInfo(next);
    });
  }

  diff(from?: string, to?: string): Promise<VolumeDiff> {
    return diffVolume(this.ctx, (fn) => this.locked(fn), from, to);
  }

  remotes(): Promise<RemoteInfo[]> {
    return listRemotes(this.ctx);
  }

  addRemote(name: string, url: string): Promise<RemoteInfo> {
    return this.locked(() => addRemote(this.ctx, name, url));
  }

  removeRemote(name: string): Promise<{ removed: string[] }> {
    return this.locked(() => removeRemote(this.ctx, name));
  }

  /** Locked for the whole transfer: a commit or reset meanwhile would change what is sent. */
  push(store: BlobStore, opts: PushOptions): Promise<PushResult> {
    return this.locked(() => pushBranch(this.ctx, store, opts));
  }

  fetch(store: BlobStore, remote: string, opts?: FetchOptions): Promise<FetchResult> {
    return this.locked(() => fetchRemote(this.ctx, store, remote, opts));
  }

  fastForward(remote: string, branch: string, opts?: { stash?: boolean }): Promise<PullResult> {
    return this.locked(() => fastForward(this.ctx, remote, branch, opts));
  }

  startFrom(remote: string, branch: string): Promise<void> {
    return this.locked(() => startFrom(this.ctx, remote, branch));
  }
}
