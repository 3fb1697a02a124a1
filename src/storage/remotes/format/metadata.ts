// Puts an entry's metadata back on a restored tree: device nodes and fifos, xattrs, owners, modes and
// nanosecond mtimes. Node cannot set nanosecond times or xattrs, and argv cannot carry names that are
// not UTF-8, so entries are opened with O_PATH|O_NOFOLLOW and named to touch, setfattr and mknod's
// rename as /proc/<pid>/fd/<n>, which reaches the entry itself (symlinks included).

import { constants, promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { run } from '../../drivers/exec.js';
import { rawPath } from '../../drivers/tree/walk.js';
import { type IndexEntry, S_IFBLK, S_IFCHR, S_IFIFO, S_IFLNK, S_IFMT } from './entry.js';

const O_PATH = 0o10000000;
/** Entries per touch or setfattr run: keeps argv and open descriptors well under their limits. */
const BATCH = 256;

/** Creates a fifo or device node at `rel` under `root` (via an ASCII temp name, then rename). */
export async function makeNode(root: string, rel: string, e: IndexEntry, seq: number): Promise<void> {
  const temp = path.join(root, `.dvol-node-${seq}`);
  const type = e.mode & S_IFMT;
  const perm = (e.mode & 0o7777).toString(8);
  let args: string[];
  if (type === S_IFIFO) args = [temp, 'p'];
  else {
    const rdev = BigInt(e.rdev ?? 0);
    const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
    const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
    args = [temp, type === S_IFCHR ? 'c' : 'b', String(major), String(minor)];
  }
  await run('mknod', ['-m', perm, ...args], `creating '${rel}'`);
  await fs.rename(temp, rawPath(root, rel));
}

/** Whether a stored mode is a node makeNode creates. */
export function isNode(mode: number): boolean {
  const type = mode & S_IFMT;
  return type === S_IFIFO || type === S_IFCHR || type === S_IFBLK;
}

/** Runs `fn` with /proc names for a batch of entries, opened without following symlinks. */
async function withProcNames(
  root: string,
  batch: IndexEntry[],
  fn: (names: string[]) => Promise<void>,
): Promise<void> {
  const handles: FileHandle[] = [];
  try {
    for (const e of batch) handles.push(await fs.open(rawPath(root, e.path), O_PATH | constants.O_NOFOLLOW));
    await fn(handles.map((h) => `/proc/${process.pid}/fd/${h.fd}`));
  } finally {
    await Promise.all(handles.map((h) => h.close()));
  }
}

async function inBatches(
  root: string,
  list: IndexEntry[],
  fn: (names: string[], batch: IndexEntry[]) => Promise<void>,
) {
  for (let i = 0; i < list.length; i += BATCH) {
    const batch = list.slice(i, i + BATCH);
    await withProcNames(root, batch, (names) => fn(names, batch));
  }
}

/** Sets every entry's xattrs with setfattr --restore (the dump format getfattr wrote them in). */
export async function applyXattrs(root: string, entries: IndexEntry[]): Promise<void> {
  const withX = entries.filter((e) => e.xattrs !== undefined && e.xattrs !== '');
  if (withX.length === 0) return;
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'dvol-xattrs-'));
  try {
    await inBatches(root, withX, async (names, batch) => {
      const dump = batch.map((e, i) => `# file: ${names[i]}\n${e.xattrs}\n`).join('\n');
      const file = path.join(scratch, 'dump');
      await fs.writeFile(file, Buffer.from(dump, 'latin1'));
      await run('setfattr', [`--restore=${file}`], 'restoring extended attributes');
    });
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}

/** Owners, then modes (chown clears setuid bits), of every entry. */
export async function applyOwnersAndModes(root: string, entries: IndexEntry[]): Promise<void> {
  for (const e of entries) {
    const p = rawPath(root, e.path);
    await fs.lchown(p, e.uid, e.gid);
    if ((e.mode & S_IFMT) !== S_IFLNK) await fs.chmod(p, e.mode & 0o7777);
  }
}

/** `@seconds.nanoseconds` for touch -d from a nanosecond count. */
function touchTime(ns: string): string {
  const n = BigInt(ns);
  const abs = n < 0n ? -n : n;
  return `@${n < 0n ? '-' : ''}${abs / 1_000_000_000n}.${String(abs % 1_000_000_000n).padStart(9, '0')}`;
}

/** Sets atime and mtime of every entry to its mtime, to the nanosecond: one touch run per time. */
export async function applyTimes(root: string, entries: IndexEntry[]): Promise<void> {
  const byTime = new Map<string, IndexEntry[]>();
  for (const e of entries) {
    const list = byTime.get(e.mtime);
    if (list) list.push(e);
    else byTime.set(e.mtime, [e]);
  }
  for (const [mtime, list] of byTime) {
    await inBatches(root, list, (names) =>
      run('touch', ['-c', '-d', touchTime(mtime), '--', ...names], 'restoring modification times').then(
        () => undefined,
      ),
    );
  }
}
