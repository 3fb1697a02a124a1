// The per-branch manifest: the stat fingerprints a branch had when it was known to equal a commit,
// used to skip unchanged files when checking for uncommitted changes. Stored as versioned JSON.

import fsSync, { promises as fs } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import path from 'node:path';

import { fsyncDir, writeFileAtomic } from '../fsutil.js';

export const MANIFEST_VERSION = 1;

/**
 * A fingerprint changes whenever anything about an entry changes: every data, mode, owner, xattr or
 * link-count change moves ctime, and a replaced entry has another inode or a later ctime.
 */
export function fingerprint(stat: BigIntStats): string {
  return `${stat.ino}:${stat.ctimeNs}:${stat.size}:${stat.mode}:${stat.uid}:${stat.gid}`;
}

/** What a branch looked like when it equalled `commit`. */
export interface Manifest {
  /** The commit the branch equalled; null for a fresh empty branch. */
  commit: string | null;
  /**
   * Every path the commit has (and maybe more), with its fingerprint in the branch, or '' when the
   * entry must always be compared (racy, or seen only in the commit).
   */
  entries: Map<string, string>;
  /** For a null commit: the root directory's mode and owner when the branch was created. */
  root?: { mode: number; uid: number; gid: number };
}

/** Builds manifests from a walk; which entries are racy is decided at build time. */
export class ManifestBuilder {
  // Parallel arrays: cheaper than maps while walking, which happens on every hasChanges.
  private readonly paths: string[] = [];
  private readonly fps: string[] = [];
  private readonly ctimes: bigint[] = [];
  private readonly untrusted: string[] = [];

  add(path: string, stat: BigIntStats, fp = fingerprint(stat)): void {
    this.paths.push(path);
    this.fps.push(fp);
    this.ctimes.push(stat.ctimeNs);
  }

  /** Lists a path that must always be compared (seen in the commit but maybe not in the walk). */
  addUntrusted(path: string): void {
    this.untrusted.push(path);
  }

  /**
   * The manifest, trusting no entry whose ctime is at or after `since`: the filesystem's time at the
   * earliest moment from which writes could go unseen. Such a write gets a ctime >= since, so an entry
   * stamped before since cannot change while keeping its ctime ("racy" entries, as git calls them).
   */
  build(commit: string | null, since: bigint): Manifest {
    const entries = new Map<string, string>();
    this.paths.forEach((path, i) =>
      entries.set(path, (this.ctimes[i] as bigint) >= since ? '' : (this.fps[i] as string)),
    );
    for (const path of this.untrusted) if (!entries.has(path)) entries.set(path, '');
    return { commit, entries };
  }
}

/**
 * The filesystem's current time as it stamps ctimes, in ns: the ctime a marker file in `dir` gets
 * when touched. Using the filesystem's own clock (not Date.now()) makes the racy rule exact whatever
 * its timestamp granularity, and immune to a server's clock skew on network filesystems.
 */
export function filesystemNow(dir: string): bigint {
  const marker = path.join(dir, CLOCK_FILE);
  let fd: number;
  try {
    fd = fsSync.openSync(marker, 'a', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    fsSync.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fd = fsSync.openSync(marker, 'a', 0o600);
  }
  try {
    fsSync.futimesSync(fd, 0, 0);
    return fsSync.fstatSync(fd, { bigint: true }).ctimeNs;
  } finally {
    fsSync.closeSync(fd);
  }
}

/** The marker file filesystemNow touches. */
export const CLOCK_FILE = '.clock';

/** Saves a manifest atomically and durably. */
export async function saveManifest(file: string, manifest: Manifest): Promise<void> {
  const data = {
    version: MANIFEST_VERSION,
    commit: manifest.commit,
    root: manifest.root,
    entries: [...manifest.entries],
  };
  await writeFileAtomic(file, JSON.stringify(data));
}

/** Loads a manifest; undefined when it is missing, unreadable or of another format (it is only a cache). */
export async function loadManifest(file: string): Promise<Manifest | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const data = JSON.parse(text) as {
      version: number;
      commit: string | null;
      root?: Manifest['root'];
      entries: [string, string][];
    };
    if (data.version !== MANIFEST_VERSION || !Array.isArray(data.entries)) return undefined;
    return { commit: data.commit, root: data.root, entries: new Map(data.entries) };
  } catch {
    return undefined;
  }
}

/** Deletes a manifest durably; absent is fine. */
export async function removeManifest(file: string): Promise<void> {
  await fs.rm(file, { force: true });
  await fsyncDir(path.dirname(file));
}
