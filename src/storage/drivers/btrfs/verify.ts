// Decides whether a change btrfs reports is real: atime-only updates and identical rewrites are not.

import { promises as fs } from 'node:fs';

import { snapshotChanges } from './changes.js';
import type { PathChange } from './path-change.js';

const CHUNK = 1024 * 1024;

/** The absolute path of `relative` (raw bytes, '' = root) under `root`, as bytes. */
export function under(root: string, relative: Buffer): Buffer {
  return relative.length === 0 ? Buffer.from(root) : Buffer.concat([Buffer.from(`${root}/`), relative]);
}

async function lstatOrNull(p: Buffer) {
  try {
    return await fs.lstat(p, { bigint: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Whether `change` (from snapshotChanges(parentRoot, currentRoot)) changes what the contract compares.
 * Only 'times' and 'data' can be noise: times are compared with the parent's mtime (btrfs also reports
 * atime and ctime updates), data ranges are compared byte for byte (btrfs reports rewritten extents,
 * even when the bytes written were the same). Every other kind is a real change.
 */
export async function isRealChange(
  change: PathChange,
  parentRoot: string,
  currentRoot: string,
): Promise<boolean> {
  if (change.kind !== 'times' && change.kind !== 'data') return true;
  const before = await lstatOrNull(under(parentRoot, change.path));
  if (!before) return true;
  if (change.kind === 'times') return change.mtimeNs !== before.mtimeNs;
  const after = await lstatOrNull(under(currentRoot, change.path));
  if (!after || after.size !== before.size || change.offset === undefined || change.length === undefined) {
    return true;
  }
  return !(await sameBytes(change, parentRoot, currentRoot));
}

async function sameBytes(change: PathChange, parentRoot: string, currentRoot: string): Promise<boolean> {
  const a = await fs.open(under(parentRoot, change.path), 'r');
  const b = await fs.open(under(currentRoot, change.path), 'r').catch(async (err: unknown) => {
    await a.close();
    throw err;
  });
  try {
    const bufA = Buffer.alloc(CHUNK);
    const bufB = Buffer.alloc(CHUNK);
    const end = Number((change.offset ?? 0n) + (change.length ?? 0n));
    for (let at = Number(change.offset ?? 0n); at < end; at += CHUNK) {
      const want = Math.min(CHUNK, end - at);
      const [ra, rb] = await Promise.all([a.read(bufA, 0, want, at), b.read(bufB, 0, want, at)]);
      if (ra.bytesRead !== rb.bytesRead) return false;
      if (!bufA.subarray(0, ra.bytesRead).equals(bufB.subarray(0, rb.bytesRead))) return false;
      if (ra.bytesRead < want) return true;
    }
    return true;
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

/** The first real change from `parent` to `current` (both read-only snapshots), or undefined. */
export async function firstRealChange(parent: string, current: string): Promise<PathChange | undefined> {
  for await (const change of snapshotChanges(parent, current)) {
    if (await isRealChange(change, parent, current)) return change;
  }
  return undefined;
}
