// What `dvol diff` reports for one path: built from the lstat of both sides once a driver has found
// that the path differs, so drivers only decide *which* paths differ, never how they are described.

import fs from 'node:fs';

/** Git-like status letters: added, modified, deleted, type changed (file ↔ directory ↔ symlink...). */
export type DiffStatus = 'A' | 'M' | 'D' | 'T';

export type EntryType = 'file' | 'dir' | 'symlink' | 'fifo' | 'socket' | 'char' | 'block';

/** What changed in an 'M' (or 'T') entry. */
export type ChangeAspect = 'content' | 'mode' | 'owner' | 'mtime' | 'target' | 'xattrs' | 'links' | 'device';

/** One side of a changed path. Sizes count for files and symlinks only (directory sizes are noise). */
export interface EntrySide {
  type: EntryType;
  /** Permission bits with setuid/setgid/sticky (no type bits). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Modification time, RFC 3339 with nanoseconds. */
  mtime: string;
  /** Symlinks: the target, raw bytes. */
  target?: Buffer;
}

/** One changed path between two states of a volume. */
export interface DiffEntry {
  /** Relative path, raw bytes ('' is the root directory); names need not be UTF-8. */
  path: Buffer;
  status: DiffStatus;
  /** Absent for 'A'. */
  from?: EntrySide;
  /** Absent for 'D'. */
  to?: EntrySide;
  /** Bytes gained (+) or lost (-): to.size - from.size. */
  sizeDelta: number;
  /** For 'M': what differs (the driver's finding plus every metadata difference). */
  changes: ChangeAspect[];
}

/** The entry of `rel` under `root`, or undefined when it does not exist there. */
export function sideOf(root: string | null, rel: Buffer): EntrySide | undefined {
  if (root === null) return undefined;
  const abs = rel.length === 0 ? Buffer.from(root) : Buffer.concat([Buffer.from(`${root}/`), rel]);
  let stat: fs.BigIntStats;
  try {
    stat = fs.lstatSync(abs, { bigint: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
  const type = typeOf(stat);
  const side: EntrySide = {
    type,
    mode: Number(stat.mode & 0o7777n),
    uid: Number(stat.uid),
    gid: Number(stat.gid),
    size: type === 'file' || type === 'symlink' ? Number(stat.size) : 0,
    mtime: isoNs(stat.mtimeNs),
  };
  if (type === 'symlink') side.target = targetNow(abs);
  return side;
}

/**
 * A symlink's target; empty when it was removed or replaced since its lstat (a container can swap
 * its entries at any moment: a diff of live data must not fail on that).
 */
function targetNow(abs: Buffer): Buffer {
  try {
    return fs.readlinkSync(abs, { encoding: 'buffer' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EINVAL' || code === 'ENOENT' || code === 'ENOTDIR') return Buffer.alloc(0);
    throw err;
  }
}

/** RFC 3339 UTC with all nine fraction digits, so equal strings mean equal mtimes. */
function isoNs(ns: bigint): string {
  const seconds = ns / 1_000_000_000n;
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
}

function typeOf(stat: fs.BigIntStats): EntryType {
  if (stat.isFile()) return 'file';
  if (stat.isDirectory()) return 'dir';
  if (stat.isSymbolicLink()) return 'symlink';
  if (stat.isFIFO()) return 'fifo';
  if (stat.isSocket()) return 'socket';
  return stat.isCharacterDevice() ? 'char' : 'block';
}

/**
 * Describes a path a driver found different. `found` is what the driver saw (content, xattrs...);
 * metadata differences visible in the two sides are added. Undefined when the path exists on
 * neither side (it vanished while the working data was being compared).
 */
export function describe(
  rel: Buffer,
  fromRoot: string | null,
  toRoot: string,
  found: ChangeAspect[] = [],
): DiffEntry | undefined {
  const from = sideOf(fromRoot, rel);
  const to = sideOf(toRoot, rel);
  if (!from && !to) return undefined;
  const sizeDelta = (to?.size ?? 0) - (from?.size ?? 0);
  const base = { path: rel, sizeDelta, ...(from ? { from } : {}), ...(to ? { to } : {}) };
  if (!from) return { ...base, status: 'A', changes: [] };
  if (!to) return { ...base, status: 'D', changes: [] };
  if (from.type !== to.type) return { ...base, status: 'T', changes: [] };
  return { ...base, status: 'M', changes: aspects(from, to, found) };
}

function aspects(from: EntrySide, to: EntrySide, found: ChangeAspect[]): ChangeAspect[] {
  const out = new Set<ChangeAspect>(found);
  if (from.size !== to.size && from.type === 'file') out.add('content');
  if (from.mode !== to.mode) out.add('mode');
  if (from.uid !== to.uid || from.gid !== to.gid) out.add('owner');
  if (from.target && to.target && !from.target.equals(to.target)) out.add('target');
  // Directory mtimes move whenever an entry is created or removed: their children are reported.
  if (from.mtime !== to.mtime && from.type !== 'dir') out.add('mtime');
  return [...out];
}

/** Counts and bytes of a whole diff, accumulated entry by entry while it streams. */
export interface DiffTotals {
  added: number;
  modified: number;
  deleted: number;
  typeChanged: number;
  /**
   * Bytes of data that changed: the size of added and deleted files and symlinks, and the larger
   * size of the two sides of a content or type change (metadata-only changes count 0).
   */
  bytesChanged: number;
}

export function emptyTotals(): DiffTotals {
  return { added: 0, modified: 0, deleted: 0, typeChanged: 0, bytesChanged: 0 };
}

/** Adds one entry to running totals. */
export function addToTotals(totals: DiffTotals, e: DiffEntry): void {
  const from = e.from?.size ?? 0;
  const to = e.to?.size ?? 0;
  if (e.status === 'A') totals.added++;
  else if (e.status === 'D') totals.deleted++;
  else if (e.status === 'T') totals.typeChanged++;
  else totals.modified++;
  const data = e.status !== 'M' || e.changes.includes('content') || e.changes.includes('target');
  if (data) totals.bytesChanged += Math.max(from, to);
}
