// The snapshot-driver contract: how one volume's branch data and commit snapshots are stored, and
// what a driver's factory declares about it. Implementations (listed in index.ts): plain (full
// copies), reflink (block-sharing copies), btrfs (subvolumes); ZFS fits the same shape (branch =
// dataset, commit = snapshot, branchFromCommit = clone).

import type { DiffEntry } from './diff-entry.js';

/** Disk usage of a branch or commit. */
export interface DataSize {
  /** Apparent size of the data in bytes (what `du --apparent-size` would say). */
  bytes: number;
  /**
   * Bytes that only this branch or commit holds and that deleting it would free, where the driver can
   * know it (reflink/btrfs share blocks); undefined when unknown.
   */
  exclusive?: number;
}

/** Everything a driver stores for one volume lives under its `root`. */
export interface DriverOptions {
  /** A directory owned by this driver for this volume; created by the caller before open. */
  root: string;
  /** Per-volume options accepted at create time (already checked against the factory's `options`). */
  options: Record<string, string>;
}

/**
 * One volume's data as a set of named branches (writable directories) and commits (read-only,
 * immutable snapshots named by 40-hex ids). The versioning layer decides names and ids and keeps all
 * metadata; a driver keeps only data.
 *
 * Contracts every implementation must honour (checked by the shared conformance suite):
 * - Fidelity: data that goes through snapshot, branchFromCommit and resetBranch comes out equal in
 *   content, type, mode (including setuid/setgid/sticky), owner, group, mtime, xattrs, symlink targets,
 *   hard-link structure, holes of sparse files (as far as the filesystem keeps them), fifos and device
 *   nodes. The branch directory's own mode and owner count too.
 * - Durability: when a mutating method resolves, its result survives a crash (data fsynced or
 *   committed by the filesystem).
 * - Crash safety: a method interrupted at any instant leaves either its old state or leftovers that
 *   `cleanup()` removes; it never leaves a commit that looks complete but is not. `resetBranch` is
 *   idempotent: calling it again after a crash completes it.
 * - Isolation: writes to a branch never change a commit or another branch, and vice versa.
 * - Methods are called with the volume's lock held, one at a time per volume; they may run
 *   concurrently for different volumes (different roots).
 * - Errors: ENOSPC becomes DvolError 'no_space'; a missing branch or commit is DvolError 'not_found';
 *   creating something that exists is DvolError 'exists'.
 */
export interface SnapshotDriver {
  /** Its factory's name. */
  readonly name: string;

  /** The directory holding a branch's working data, the one that is bind-mounted. No I/O. */
  branchPath(branch: string): string;

  /** The directory holding a commit's read-only data, for readers outside the driver (push, tests). No I/O. */
  commitPath(commit: string): string;

  /** Creates an empty writable branch (mode 0755, owned by root unless options say otherwise). */
  createBranch(branch: string): Promise<void>;

  /**
   * Snapshots the branch's current data into a new commit. Also records whatever the driver needs to
   * answer `hasChanges(branch, commit)` cheaply afterwards.
   */
  snapshot(branch: string, commit: string): Promise<void>;

  /** Creates a new writable branch whose data equals the commit's. */
  branchFromCommit(commit: string, branch: string): Promise<void>;

  /** Replaces the branch's data with the commit's. Idempotent; rerun it to finish after a crash. */
  resetBranch(branch: string, commit: string): Promise<void>;

  /**
   * Deletes a branch's data. Absent is not an error. When it resolves the data is gone for every
   * method (and after a crash); its space may be freed later, in the background (see idle()).
   */
  removeBranch(branch: string): Promise<void>;

  /** Deletes a commit's data, like removeBranch. Absent is not an error. */
  removeCommit(commit: string): Promise<void>;

  /**
   * Resolves once the data this instance discarded so far (removed branches and commits, what resetBranch
   * replaced) is deleted from disk. Those deletions run after the calls that queued them resolved; one
   * that fails or is cut off by a crash is finished by cleanup().
   */
  idle(): Promise<void>;

  /**
   * Whether the branch's data differs from the commit's (from an empty directory when commit is null):
   * content, type, mode, owner, mtime, symlink target, xattrs, presence. Must be exact (no false
   * "clean"), and cheap when nothing changed: it may use metadata recorded by snapshot/branchFromCommit/
   * resetBranch to skip unchanged files, but must read file data where metadata cannot decide.
   */
  hasChanges(branch: string, commit: string | null): Promise<boolean>;

  /**
   * Every path whose entry differs from commit `from` (null: an empty directory, whose root is never
   * reported) to `to`: another commit, or a branch's working data. Each differing path exactly once,
   * by the same standard as hasChanges (directory mtimes aside); a rename is a deletion plus an
   * addition. Streams: memory holds at most the changed paths, never the whole tree. Reads file data
   * only where metadata cannot decide. Stopping the iteration early releases whatever it held.
   */
  diff(from: string | null, to: { branch: string } | { commit: string }): AsyncGenerator<DiffEntry>;

  /**
   * Readies a branch's data for a container, right before it is bind-mounted. Optional: btrfs honours a
   * `.nocow` marker here, at mount time as buttervolume does, so a marker written into a new volume
   * takes effect from its next mount (files created after that skip copy-on-write).
   */
  beforeMount?(branch: string): Promise<void>;

  /** Disk usage of a branch (`{branch}`) or of a commit (`{commit}`). */
  size(of: { branch: string } | { commit: string }): Promise<DataSize>;

  /** The branches and commits whose data exists, for fsck and for removing orphans. */
  list(): Promise<{ branches: string[]; commits: string[] }>;

  /** Removes leftovers of interrupted work (temporary directories, half-made snapshots, unfinished deletions). */
  cleanup(): Promise<void>;

  /** Removes everything under root, including root itself (after waiting for idle()). */
  destroy(): Promise<void>;
}

/** What the layers above a driver may count on, beyond the SnapshotDriver contract. */
export interface DriverCapabilities {
  /**
   * snapshot() captures the branch at one instant, as a crash at that instant would leave it (btrfs
   * snapshots a subvolume at once), so a database writing to it meanwhile needs no pause: its own
   * crash recovery makes the commit consistent. A copying driver reads file after file instead, and
   * the containers writing must be paused for a commit.
   */
  atomicSnapshots: boolean;
  /** How `size()` tells the bytes only one commit holds, and how exact that is (shown by `dvol du`). */
  exclusiveBytes: string;
}

/** One per-volume option a driver accepts at create time (`docker volume create -o NAME=VALUE`). */
export interface DriverOption {
  /** What it does, in one line for people. */
  description: string;
  /** The values it accepts; absent: any value, left to the factory's checkOptions. */
  values?: readonly string[];
}

/** How the versioning layer finds and creates drivers; `N` is the driver's name, its key in index.ts. */
export interface DriverFactory<N extends string = string> {
  readonly name: N;
  readonly capabilities: DriverCapabilities;
  /**
   * The per-volume options this driver accepts, by name. Every option given at create time is checked
   * against them in one place (src/storage/options.ts) before anything of a volume is written.
   */
  readonly options: Readonly<Record<string, DriverOption>>;
  /**
   * Checks what `options` cannot say (combinations of values; values of options without a list),
   * after names and listed values are checked; throws DvolError 'invalid' saying what to use instead.
   * Optional. open() must refuse the same options, since it meets them again on every open.
   */
  checkOptions?(options: Record<string, string>): void;
  /**
   * Whether this driver works for data kept under `dir` (for example: reflink needs FICLONE support,
   * btrfs needs a btrfs filesystem). Resolves to a reason string when it does not, true when it does.
   */
  probe(dir: string): Promise<true | string>;
  open(opts: DriverOptions): SnapshotDriver;
}
