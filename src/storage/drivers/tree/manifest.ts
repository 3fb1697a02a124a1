// The per-branch manifest: the stat fingerprints a branch had when it was known to equal a commit,
// used to skip unchanged files when checking for uncommitted changes. Stored as versioned JSON.

import { promises as fs } from 'node:fs';
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

/**
 * Slack for coarse timestamps: an entry whose ctime is this close to (or after) the moment from which
 * unseen writes could happen might be changed again without its ctime moving, so it is never trusted
 * ("racy", as git calls it).
 */
export const RACY_NS = 1_000_000_000n;

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

/** Builds manifests: `add` every entry of a walk; racy entries get an empty fingerprint. */
export class ManifestBuilder {
  readonly entries = new Map<string, string>();
  /** @param since the earliest moment (ns since the epoch) from which writes could go unseen. */
  constructor(private readonly since: bigint) {}

  add(path: string, stat: BigIntStats): void {
    this.entries.set(path, stat.ctimeNs >= this.since - RACY_NS ? '' : fingerprint(stat));
  }

  build(commit: string | null): Manifest {
    return { commit, entries: this.entries };
  }
}

/** The current wall-clock time in ns, the clock file timestamps use. */
export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

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
