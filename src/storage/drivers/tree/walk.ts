// Walks a directory tree without following symlinks, yielding every entry with its lstat. Names are
// carried as latin1 strings, which map bytes 1:1, so names that are not valid UTF-8 survive exactly.

import fs from 'node:fs';

/** One entry of a tree: its path relative to the root ('' for the root itself). */
export interface TreeEntry {
  /** Relative path, '/'-separated, each byte of the raw name as one latin1 character. */
  path: string;
  stat: fs.BigIntStats;
  /** The symlink's target (latin1), for symlinks only. */
  target?: string;
}

/** How many entries to process between yields to the event loop, so a big walk never blocks a server. */
const BATCH = 512;

/** The raw filesystem path of `rel` under `root`, as a Buffer (works for any bytes in names). */
export function rawPath(root: string, rel: string): Buffer {
  return rel === ''
    ? Buffer.from(root)
    : Buffer.concat([Buffer.from(root), Buffer.from(`/${rel}`, 'latin1')]);
}

/** lstat that resolves to undefined for a missing entry. */
export function lstatOrUndefined(p: Buffer): fs.BigIntStats | undefined {
  try {
    return fs.lstatSync(p, { bigint: true });
  } catch (err) {
    if (isGone(err)) return undefined;
    throw err;
  }
}

/** Whether an error means the entry vanished (it was deleted or replaced while we looked). */
export function isGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** A symlink's target as latin1, or undefined when the entry vanished or is no longer a symlink. */
export function targetOrUndefined(p: Buffer): string | undefined {
  try {
    return fs.readlinkSync(p, { encoding: 'buffer' }).toString('latin1');
  } catch (err) {
    if (isGone(err) || (err as NodeJS.ErrnoException).code === 'EINVAL') return undefined;
    throw err;
  }
}

/**
 * Yields the root and then every entry below it, depth first, names sorted bytewise within a directory.
 * Entries that vanish during the walk are skipped. Synchronous syscalls in batches are several times
 * faster than fs.promises for 100k small entries; yielding between batches keeps the event loop live.
 */
export async function* walkTree(root: string): AsyncGenerator<TreeEntry> {
  const rootBytes = Buffer.from(root);
  const stack: string[] = [''];
  let sinceYield = 0;
  while (stack.length > 0) {
    const rel = stack.pop() as string;
    const abs = rel === '' ? rootBytes : Buffer.concat([rootBytes, Buffer.from(`/${rel}`, 'latin1')]);
    const stat = lstatOrUndefined(abs);
    if (stat === undefined) continue;
    if (stat.isSymbolicLink()) {
      const target = targetOrUndefined(abs);
      if (target === undefined) continue;
      yield { path: rel, stat, target };
    } else {
      yield { path: rel, stat };
    }
    if (stat.isDirectory()) pushChildren(stack, abs, rel);
    if (++sinceYield >= BATCH) {
      sinceYield = 0;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

/** Pushes a directory's children on the stack in reverse order, so they pop in sorted order. */
function pushChildren(stack: string[], abs: Buffer, rel: string): void {
  let names: Buffer[];
  try {
    names = fs.readdirSync(abs, { encoding: 'buffer' });
  } catch (err) {
    if (isGone(err)) return;
    throw err;
  }
  names.sort(Buffer.compare);
  const prefix = rel === '' ? '' : `${rel}/`;
  for (let i = names.length - 1; i >= 0; i--) stack.push(prefix + (names[i] as Buffer).toString('latin1'));
}

/**
 * Every relative path under `root` (the root included), without lstat: cheaper when only names matter.
 * `start` walks only the subtree at that relative path (latin1, as yielded), itself included.
 */
export async function* walkNames(root: string, start = ''): AsyncGenerator<string> {
  yield start;
  const stack: string[] = [start];
  let sinceYield = 0;
  while (stack.length > 0) {
    const rel = stack.pop() as string;
    let dirents: fs.Dirent<Buffer>[];
    try {
      dirents = fs.readdirSync(rawPath(root, rel), { encoding: 'buffer', withFileTypes: true });
    } catch (err) {
      if (isGone(err)) continue;
      throw err;
    }
    const prefix = rel === '' ? '' : `${rel}/`;
    for (const d of dirents) {
      const child = prefix + d.name.toString('latin1');
      yield child;
      if (d.isDirectory()) stack.push(child);
    }
    sinceYield += dirents.length;
    if (sinceYield >= BATCH) {
      sinceYield = 0;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
