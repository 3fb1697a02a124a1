// The per-branch manifest: the stat fingerprints a branch had when it was known to equal a commit,
// used to skip unchanged files when checking for uncommitted changes. Kept in walk order, so a walk
// is compared with it by merging, and stored as a JSON header line and NUL-separated lists.

import fsSync, { promises as fs } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import path from 'node:path';

import { fsyncDir, writeFileAtomic } from '../fsutil.js';
import { treeKey } from './diff-trees.js';

/** 2: paths and fingerprints as NUL-separated lists in walk order (1 was one JSON document). */
export const MANIFEST_VERSION = 2;

/**
 * A fingerprint changes whenever anything about an entry changes: every data, mode, owner, xattr or
 * link-count change moves ctime, and a replaced entry has another inode or a later ctime. walk-task.ts
 * writes the same string out for its workers.
 */
export function fingerprint(stat: BigIntStats): string {
  return `${stat.ino}:${stat.ctimeNs}:${stat.size}:${stat.mode}:${stat.uid}:${stat.gid}`;
}

/** Whether path a comes before path b in walk order (depth first, names sorted bytewise). */
export function precedes(a: string, b: string): boolean {
  return treeKey(a) < treeKey(b);
}

/** What a branch looked like when it equalled `commit`. */
export interface Manifest {
  /** The commit the branch equalled; null for a fresh empty branch. */
  commit: string | null;
  /** Every path the commit has (and maybe more), in walk order, each once. */
  paths: string[];
  /**
   * For each path, its fingerprint in the branch, or '' when the entry must always be compared (racy,
   * or seen only in the commit).
   */
  fps: string[];
  /** For a null commit: the root directory's mode and owner when the branch was created. */
  root?: { mode: number; uid: number; gid: number };
}

/** Builds manifests from a walk; which entries are racy is decided at build time. */
export class ManifestBuilder {
  private readonly paths: string[] = [];
  private readonly fps: string[] = [];
  private untrusted: string[] = [];

  /** Adds the next entry of a walk: entries must come in walk order. */
  add(path: string, fp: string): void {
    this.paths.push(path);
    this.fps.push(fp);
  }

  /** Lists paths, in walk order, that must always be compared (seen in the commit, maybe not in the walk). */
  addUntrusted(paths: string[]): void {
    this.untrusted = paths;
  }

  /**
   * The manifest, trusting no entry whose ctime is at or after `since`: the filesystem's time at the
   * earliest moment from which writes could go unseen. Such a write gets a ctime >= since, so an entry
   * stamped before since cannot change while keeping its ctime ("racy" entries, as git calls them).
   */
  build(commit: string | null, since: bigint): Manifest {
    const paths: string[] = [];
    const fps: string[] = [];
    const extra = this.untrusted;
    let j = 0;
    for (let i = 0; i < this.paths.length; i++) {
      const p = this.paths[i] as string;
      for (; j < extra.length && extra[j] !== p && precedes(extra[j] as string, p); j++) {
        paths.push(extra[j] as string);
        fps.push('');
      }
      if (extra[j] === p) j++;
      const fp = this.fps[i] as string;
      paths.push(p);
      fps.push(ctimeOf(fp) >= since ? '' : fp);
    }
    for (; j < extra.length; j++) {
      paths.push(extra[j] as string);
      fps.push('');
    }
    return { commit, paths, fps };
  }
}

/** The ctime (ns) written in a fingerprint. */
function ctimeOf(fp: string): bigint {
  const start = fp.indexOf(':') + 1;
  return BigInt(fp.slice(start, fp.indexOf(':', start)));
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

/** Saves a manifest atomically and durably; names are raw bytes (latin1), so the file is written as latin1. */
export async function saveManifest(file: string, manifest: Manifest): Promise<void> {
  const header = {
    version: MANIFEST_VERSION,
    commit: manifest.commit,
    root: manifest.root,
    count: manifest.paths.length,
  };
  const body = manifest.paths.length === 0 ? '' : `${manifest.paths.join('\0')}\0${manifest.fps.join('\0')}`;
  await writeFileAtomic(file, Buffer.from(`${JSON.stringify(header)}\n${body}`, 'latin1'));
}

/** Loads a manifest; undefined when it is missing, unreadable or of another format (it is only a cache). */
export async function loadManifest(file: string): Promise<Manifest | undefined> {
  let text: string;
  try {
    text = (await fs.readFile(file)).toString('latin1');
  } catch {
    return undefined;
  }
  try {
    const eol = text.indexOf('\n');
    if (eol < 0) return undefined;
    const header = JSON.parse(text.slice(0, eol)) as {
      version: number;
      commit: string | null;
      root?: Manifest['root'];
      count: number;
    };
    if (header.version !== MANIFEST_VERSION) return undefined;
    const n = header.count;
    const all = n === 0 ? [] : text.slice(eol + 1).split('\0');
    if (all.length !== 2 * n) return undefined;
    return { commit: header.commit, root: header.root, paths: all.slice(0, n), fps: all.slice(n) };
  } catch {
    return undefined;
  }
}

/** Deletes a manifest durably; absent is fine. */
export async function removeManifest(file: string): Promise<void> {
  await fs.rm(file, { force: true });
  await fsyncDir(path.dirname(file));
}
