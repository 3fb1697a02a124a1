// One entry of a tree index (a file, directory, link or node with all its metadata) and its JSON
// record in an index leaf. Paths, link targets and xattrs are byte strings (latin1, one character
// per byte) in memory and base64 in JSON, so names that are not UTF-8 survive exactly.

import { DvolError } from '../../errors.js';

export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;
export const S_IFIFO = 0o010000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;

export interface IndexEntry {
  /** Relative path, '/'-separated, latin1 ('' for the root). */
  path: string;
  /** st_mode: file type and permission bits. */
  mode: number;
  uid: number;
  gid: number;
  /** Modification time in nanoseconds since the epoch, as a decimal string. */
  mtime: string;
  /** Bytes, for regular files (0 for everything else). */
  size: number;
  /** A symlink's target (latin1). */
  target?: string;
  /** For the second and later names of a hard-linked file: the first name's path; no blocks then. */
  link?: string;
  /** Device number of a character or block device. */
  rdev?: number;
  /** Extended attributes as getfattr's dump lines (`name=0x<hex>`, sorted, '\n'-joined). */
  xattrs?: string;
  /**
   * `ino:ctime_ns` on the machine that pushed: only to tell there whether a file changed since
   * (never restored; a clone re-reads every file once, and uploads nothing it already has).
   */
  fp?: string;
  /** A regular file's block hashes, 32 bytes each, in file order; HOLE for an all-zero block. */
  blocks?: Buffer;
}

/** The JSON form of an entry (or, with `o`, of a continuation of a big file's block list). */
export interface EntryRecord {
  p: string;
  m?: number;
  u?: number;
  g?: number;
  t?: string;
  s?: number;
  l?: string;
  h?: string;
  r?: number;
  x?: string;
  f?: string;
  /** Block hashes, concatenated and base64. */
  b?: string;
  /** For a continuation: the index of its first block in the file. */
  o?: number;
}

const b64 = (latin1: string) => Buffer.from(latin1, 'latin1').toString('base64');
const unb64 = (text: string) => Buffer.from(text, 'base64').toString('latin1');

/** The record of `e` holding its blocks [0, firstBlocks). */
export function toRecord(e: IndexEntry, firstBlocks: number): EntryRecord {
  const r: EntryRecord = { p: b64(e.path), m: e.mode, u: e.uid, g: e.gid, t: e.mtime, s: e.size };
  if (e.target !== undefined) r.l = b64(e.target);
  if (e.link !== undefined) r.h = b64(e.link);
  if (e.rdev !== undefined) r.r = e.rdev;
  if (e.xattrs !== undefined && e.xattrs !== '') r.x = b64(e.xattrs);
  if (e.fp !== undefined) r.f = e.fp;
  if (e.blocks !== undefined) r.b = e.blocks.subarray(0, firstBlocks * 32).toString('base64');
  return r;
}

function bad(why: string): DvolError {
  return new DvolError(
    'corrupt',
    `the tree index is damaged: ${why}`,
    'push the commit again from a good copy',
  );
}

const isInt = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isStr = (v: unknown): v is string => typeof v === 'string';

/** Adds a record to `out` (a continuation extends the last entry); 'corrupt' on anything malformed. */
export function addRecord(out: IndexEntry[], r: EntryRecord): void {
  if (typeof r !== 'object' || r === null || !isStr(r.p)) throw bad('an entry has no path');
  const blocks = r.b === undefined ? undefined : Buffer.from(r.b, 'base64');
  if (blocks !== undefined && blocks.length % 32 !== 0) throw bad('a block list is not whole hashes');
  if (r.o !== undefined) {
    const last = out[out.length - 1];
    const path = unb64(r.p);
    if (last?.path !== path || last.blocks === undefined || last.blocks.length !== r.o * 32 || !blocks) {
      throw bad(`a continuation of '${path}' does not follow its entry`);
    }
    last.blocks = Buffer.concat([last.blocks, blocks]);
    return;
  }
  if (
    !isInt(r.m) ||
    !isInt(r.u) ||
    !isInt(r.g) ||
    !isStr(r.t) ||
    !/^-?[0-9]{1,22}$/.test(r.t) ||
    !isInt(r.s)
  ) {
    throw bad(`the metadata of '${unb64(r.p)}' is malformed`);
  }
  const e: IndexEntry = { path: unb64(r.p), mode: r.m, uid: r.u, gid: r.g, mtime: r.t, size: r.s };
  if (isStr(r.l)) e.target = unb64(r.l);
  if (isStr(r.h)) e.link = unb64(r.h);
  if (isInt(r.r)) e.rdev = r.r;
  if (isStr(r.x)) e.xattrs = unb64(r.x);
  if (isStr(r.f)) e.fp = r.f;
  if (blocks !== undefined) e.blocks = blocks;
  out.push(e);
}
