// The per-branch manifest: the stat fingerprints a branch had when it was known to equal a commit,
// used to skip unchanged files when checking for uncommitted changes. Kept in walk order, so a walk
// is compared with it by merging, and stored as a JSON header line and NUL-separated paths and fingerprints.

import fsSync, { promises as fs } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import path from 'node:path';

import { fsyncDir, writeFileAtomic } from '../fsutil.js';
import { treeKey } from './diff-trees.js';

/** 2: paths and fingerprints NUL-separated, in walk order, after a JSON header line (1 was one JSON document). */
export const MANIFEST_VERSION = 2;

/**
 * A fingerprint changes whenever anything about an entry changes: every data, mode, owner, xattr or
 * link-count change moves ctime, and a replaced entry has another inode or a later ctime.
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
  /**
   * Every path the commit has (and maybe more), in walk order, each once, as `path NUL fingerprint NUL`
   * pairs; the fingerprint is '' when the entry must always be compared (racy, or seen only in the
   * commit). One string rather than 2 × 100k small ones: loading and comparing allocate nothing per entry.
   */
  entries: string;
  /** For a null commit: the root directory's mode and owner when the branch was created. */
  root?: { mode: number; uid: number; gid: number };
}

/** A manifest's entries from a list of paths and their fingerprints. */
export function joinEntries(paths: string[], fps: string[]): string {
  let text = '';
  for (let i = 0; i < paths.length; i++) text += `${paths[i]}\0${fps[i]}\0`;
  return text;
}

/** Reads a manifest's entries in order; compares them with a walk's without copying them out. */
export class ManifestCursor {
  private pos = 0;
  /** The current entry's ordinal. */
  index = 0;

  constructor(private readonly text: string) {}

  /** Whether every entry has been passed. */
  get done(): boolean {
    return this.pos >= this.text.length;
  }

  /** Whether the current entry's path is `path`. */
  isAt(path: string): boolean {
    return this.text.startsWith(path, this.pos) && this.text.charCodeAt(this.pos + path.length) === 0;
  }

  /** Whether the current entry, at `path`, has the fingerprint `fp` ('' never matches). */
  hasFp(path: string, fp: string): boolean {
    const at = this.pos + path.length + 1;
    return fp !== '' && this.text.startsWith(fp, at) && this.text.charCodeAt(at + fp.length) === 0;
  }

  path(): string {
    return this.text.slice(this.pos, this.text.indexOf('\0', this.pos));
  }

  fp(): string {
    const at = this.text.indexOf('\0', this.pos) + 1;
    return this.text.slice(at, this.text.indexOf('\0', at));
  }

  next(): void {
    this.pos = this.text.indexOf('\0', this.text.indexOf('\0', this.pos) + 1) + 1;
    this.index++;
  }
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
    const parts: string[] = [];
    const extra = this.untrusted;
    let j = 0;
    for (let i = 0; i < this.paths.length; i++) {
      const p = this.paths[i] as string;
      for (; j < extra.length && extra[j] !== p && precedes(extra[j] as string, p); j++) {
        parts.push(extra[j] as string, '');
      }
      if (extra[j] === p) j++;
      const fp = this.fps[i] as string;
      parts.push(p, ctimeOf(fp) >= since ? '' : fp);
    }
    for (; j < extra.length; j++) parts.push(extra[j] as string, '');
    return { commit, entries: parts.length === 0 ? '' : `${parts.join('\0')}\0` };
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
  const header = { version: MANIFEST_VERSION, commit: manifest.commit, root: manifest.root };
  await writeFileAtomic(file, Buffer.from(`${JSON.stringify(header)}\n${manifest.entries}`, 'latin1'));
}

/** Loads a manifest; undefined when it is missing, unreadable or of another format (it is only a cache). */
export async function loadManifest(file: string): Promise<Manifest | undefined> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch {
    return undefined;
  }
  try {
    const text = bytes.toString('latin1');
    const eol = text.indexOf('\n');
    // Version 1 was one JSON document, without a newline.
    if (eol < 0) return fromVersion1(bytes);
    const header = JSON.parse(text.slice(0, eol)) as {
      version: number;
      commit: string | null;
      root?: Manifest['root'];
    };
    const entries = text.slice(eol + 1);
    // Written whole by a rename, so only another format or a foreign file can fail this.
    if (header.version !== MANIFEST_VERSION || (entries !== '' && !entries.endsWith('\0'))) return undefined;
    return { commit: header.commit, root: header.root, entries };
  } catch {
    return undefined;
  }
}

/**
 * A version 1 manifest (dvol 0.1.0 wrote them), put in walk order: its fingerprints are the same, so
 * the first check after an upgrade still skips unchanged files instead of comparing every byte once.
 */
function fromVersion1(bytes: Buffer): Manifest | undefined {
  const data = JSON.parse(bytes.toString('utf8')) as {
    version: number;
    commit: string | null;
    root?: Manifest['root'];
    entries: [string, string][];
  };
  if (data.version !== 1 || !Array.isArray(data.entries)) return undefined;
  const keyed = data.entries.map(([p, fp]) => ({ key: treeKey(p), p, fp }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    commit: data.commit,
    root: data.root,
    entries: joinEntries(
      keyed.map((e) => e.p),
      keyed.map((e) => e.fp),
    ),
  };
}

/** Deletes a manifest durably; absent is fine. */
export async function removeManifest(file: string): Promise<void> {
  await fs.rm(file, { force: true });
  await fsyncDir(path.dirname(file));
}
