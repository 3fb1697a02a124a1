// The versioning model's public types and the API the server (and benchmarks) use. The
// implementation is `openStore()` in store.ts; everything above storage codes against these.

import type { DiffEntry, DiffTotals } from './drivers/diff-entry.js';
import type { DataSize } from './drivers/driver.js';
import type { DriverName } from './drivers/index.js';
import type { DuReport } from './du.js';
import type { RetentionPolicy } from './schedule/retention.js';

export type { DuEntry, DuReport } from './du.js';
import type { BlobStore } from './remotes/blobstore.js';
import type { FetchOptions, FetchResult } from './sync/fetch.js';
import type { PullResult } from './sync/pull.js';
import type { PushOptions, PushResult } from './sync/push.js';
import type { RemoteInfo } from './sync/remotes.js';

export type { FetchResult, PullResult, PushResult, RemoteInfo };

export type {
  ChangeAspect,
  DiffEntry,
  DiffStatus,
  DiffTotals,
  EntrySide,
  EntryType,
} from './drivers/diff-entry.js';

/** A commit: an immutable, named state of one branch's data. */
export interface Commit {
  /** 40 lowercase hex digits, random. */
  id: string;
  /** The previous commit on the branch it was made on; null for a root commit. */
  parent: string | null;
  /** Non-empty, as given (may span lines). */
  message: string;
  /** `Name <email>`. */
  author: string;
  /** RFC 3339, UTC. */
  date: string;
  /** True when its data was deleted to reclaim space ('dvol commit -d'): it stays in the log. */
  dataDeleted?: boolean;
  /** True for a scheduled snapshot: taken by the plugin, it hangs off HEAD and moves no branch. */
  scheduled?: boolean;
}

/** A scheduled snapshot as `log --scheduled` lists it. */
export interface ScheduledSnapshot {
  commit: Commit;
  /** The branch it was taken of. */
  branch: string;
  /** Tagged, a branch tip, or something a branch was made from: retention keeps it. */
  kept: boolean;
}

export interface BranchInfo {
  name: string;
  /** Tip commit id; null before the first commit. */
  head: string | null;
  active: boolean;
}

export interface TagInfo {
  name: string;
  commit: string;
  /** RFC 3339, when the tag was made. */
  date: string;
}

/** What Docker's Get needs: must be answerable from metadata alone, with no walk of the data. */
export interface VolumeInfo {
  name: string;
  /** RFC 3339. */
  createdAt: string;
  driver: DriverName;
  options: Record<string, string>;
  activeBranch: string;
  /** HEAD of the active branch; null before the first commit. */
  head: string | null;
  branchCount: number;
  /** The mount policy: true when only one container at a time may mount it. */
  exclusive: boolean;
}

/** One row of `dvol list`: VolumeInfo plus what costs a walk of the data. */
export interface VolumeSummary extends VolumeInfo {
  size: DataSize;
  dirty: boolean;
  /** The volume was busy (an operation or a diff held it): size and dirty are its last measure, if any. */
  busy?: true;
}

export interface Status {
  volume: string;
  branch: string;
  head: Commit | null;
  dirty: boolean;
}

/** One problem fsck found: what is wrong, where, precisely. */
export interface FsckProblem {
  volume: string;
  /** e.g. 'ref-missing-commit', 'commit-missing-data', 'orphan-data', 'orphan-commit', 'bad-parent'. */
  kind: string;
  /** One sentence naming the objects involved. */
  message: string;
}

export interface CreateVolumeOptions {
  /** Snapshot driver; default: the store's default (auto-detected). */
  driver?: DriverName;
  /** Driver options (checked against the options the driver declares). */
  options?: Record<string, string>;
  /** Mounted by one container at a time (a dvol option, not the driver's). */
  exclusive?: boolean;
}

export interface ResetResult {
  /** The commit the branch now points at. */
  commit: Commit;
  /** Commits that were deleted because nothing referenced them any more, newest first. */
  removed: Commit[];
}

/** A diff being read: its two sides, then the entries as they are found. */
export interface VolumeDiff {
  /** The older side; null for an empty tree (a branch with no commits yet). */
  from: Commit | null;
  /** The newer side; null for the working data of `branch`. */
  to: Commit | null;
  /** The active branch when the diff was asked for. */
  branch: string;
  /**
   * Each differing path once. Holds the volume's lock while iterated: iterate it to the end or stop
   * it with return() (a for-await loop's break does).
   */
  entries: AsyncGenerator<DiffEntry>;
  /** Counts so far; final once entries is exhausted. */
  totals: DiffTotals;
}

/** Operations on one volume. Every mutating method holds the volume's lock for its whole run. */
export interface Volume {
  readonly name: string;
  info(): Promise<VolumeInfo>;
  status(): Promise<Status>;
  /** The directory with the active branch's working data (what a container sees). */
  dataPath(): Promise<string>;
  /** dataPath, once the driver has readied the data for a container (e.g. the `.nocow` marker): for Mount. */
  mountPath(): Promise<string>;

  commit(opts: { message: string; author: string }): Promise<Commit>;
  /** Newest first, following parents from `ref` (default HEAD), inherited commits included. */
  log(ref?: string): Promise<Commit[]>;
  /** Accepts HEAD, HEAD^, HEAD~N, REF^, REF~N, a branch, a tag, a full id or a unique id prefix. */
  resolve(ref: string): Promise<Commit>;
  /** Deletes a commit's data to reclaim space; refused for branch tips and tagged commits. */
  deleteCommitData(ref: string): Promise<Commit>;

  branches(): Promise<BranchInfo[]>;
  /**
   * Throws 'dirty' (the seeds' message) when the active branch has uncommitted changes: lets a caller
   * refuse a switch before it does anything costly, such as stopping containers.
   */
  ensureClean(): Promise<void>;
  /** `checkout -b NAME`: new branch from the active branch's HEAD, made active. Refused when dirty. */
  createBranch(name: string): Promise<BranchInfo>;
  /** `checkout NAME`: make an existing branch active. Refused when dirty. */
  checkout(name: string): Promise<BranchInfo>;
  /** Refused for the active branch, and when it would lose commits nothing else references unless force. */
  deleteBranch(name: string, opts?: { force?: boolean }): Promise<{ removed: Commit[] }>;

  /** Without hard: refused ('conflict') with a message saying what would be lost and how to keep it. */
  reset(ref: string, opts: { hard: boolean }): Promise<ResetResult>;

  tags(): Promise<TagInfo[]>;
  createTag(name: string, ref?: string): Promise<TagInfo>;
  deleteTag(name: string): Promise<void>;

  fsck(): Promise<FsckProblem[]>;

  /** Changes the mount policy (checked at the next Mount; current mounts stay). */
  setExclusive(exclusive: boolean): Promise<VolumeInfo>;

  /**
   * Whether a scheduled snapshot would hold anything new: the active branch's data differs from its
   * latest snapshot taken since HEAD (or from HEAD when there is none).
   */
  snapshotNeeded(): Promise<boolean>;
  /** Takes a scheduled snapshot of the active branch: a commit off HEAD that moves no branch. */
  snapshot(opts: { message: string; author: string; date: Date }): Promise<Commit>;
  /** Scheduled snapshots, newest first; of `branch` only when given. */
  snapshots(branch?: string): Promise<ScheduledSnapshot[]>;
  /**
   * Deletes the scheduled snapshots `policy` does not keep as of `now`, per branch, never a kept one;
   * resolves to every commit deleted (a snapshot, or a commit only deleted snapshots still reached).
   */
  pruneSnapshots(policy: RetentionPolicy, now: number): Promise<Commit[]>;
  /** `dvol du`: every commit's and snapshot's size and the bytes only it holds. Walks data. */
  du(): Promise<DuReport>;

  /**
   * What changed from `from` (a ref; default HEAD, or an empty tree before the first commit) to `to`
   * (a ref, or 'working', the default: the active branch's data).
   */
  diff(from?: string, to?: string): Promise<VolumeDiff>;

  /** The volume's remotes with their remote-tracking branches (volume.json alone: no lock). */
  remotes(): Promise<RemoteInfo[]>;
  /** 'invalid' for a bad name or URL, 'exists' for a taken name. */
  addRemote(name: string, url: string): Promise<RemoteInfo>;
  /** Drops the remote, its tracking branches and the commits only they kept. */
  removeRemote(name: string): Promise<{ removed: string[] }>;
  /** Sends a branch's commits the remote (opened by the caller on the remote's URL) lacks. */
  push(store: BlobStore, opts: PushOptions): Promise<PushResult>;
  /** Imports the remote's branches as tracking branches `REMOTE/BRANCH`. */
  fetch(store: BlobStore, remote: string, opts?: FetchOptions): Promise<FetchResult>;
  /** Fast-forwards the active branch to `remote/branch` (fetched first); refused on divergence unless stash. */
  fastForward(remote: string, branch: string, opts?: { stash?: boolean }): Promise<PullResult>;
  /** For a volume without commits: its history starts at `remote/branch`, made the active branch. */
  startFrom(remote: string, branch: string): Promise<void>;
}

/** The whole store: a state directory holding many volumes. */
export interface Store {
  readonly root: string;
  /** Default driver for new volumes on this state directory. */
  readonly defaultDriver: DriverName;
  createVolume(name: string, opts?: CreateVolumeOptions): Promise<VolumeInfo>;
  /** Cheap (metadata only); undefined when there is no such volume. */
  getVolume(name: string): Promise<VolumeInfo | undefined>;
  listVolumes(): Promise<VolumeInfo[]>;
  /** With sizes and dirty flags: walks data. */
  summarizeVolumes(): Promise<VolumeSummary[]>;
  /** Throws not_found. */
  volume(name: string): Volume;
  /**
   * Runs `fn` holding the volume's lock (the volume need not exist yet); calls on that volume made
   * inside `fn` do not wait for it. Lets the server take the volume's lock before its own locks.
   */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Refused ('in_use') while mounted, per the mount table. */
  removeVolume(name: string): Promise<void>;
  /** Persisted per-holder mount counts (Docker mount IDs): see mounts.ts. */
  readonly mounts: MountTable;
  fsck(): Promise<FsckProblem[]>;
  /**
   * Resolves once the deletions queued so far are done: removed volumes, and data that drivers discard
   * (replaced by a reset, removed branches and commits). Each runs after its operation resolved.
   */
  idle(): Promise<void>;
  /** Waits for running operations and for idle(), then releases the state directory's lock. */
  close(): Promise<void>;
}

/**
 * Persisted counts of who holds a volume mounted. A holder is an opaque id (Docker's mount ID); the
 * same id may mount twice (docker cp) and must then unmount twice. Never takes a volume's lock, so
 * an unmount is never blocked by a running operation.
 */
export interface MountTable {
  /** Adds one mount by holder; resolves to the volume's total count after it. */
  acquire(volume: string, holder: string): Promise<number>;
  /** Removes one mount by holder (unknown holder: no-op); resolves to the total count after it. */
  release(volume: string, holder: string): Promise<number>;
  count(volume: string): number;
  /** Holders and their counts, for inspection. */
  holders(volume: string): Record<string, number>;
}
