// Disk usage of a tree: apparent bytes and allocated bytes, each inode counted once.

import { walkTree } from './walk.js';

/** Sums st_size (apparent) and st_blocks × 512 (allocated) over a tree, hard links counted once. */
export async function measureTree(root: string): Promise<{ bytes: number; allocated: number }> {
  const seen = new Set<bigint>();
  let bytes = 0n;
  let allocated = 0n;
  for await (const { stat } of walkTree(root)) {
    if (stat.nlink > 1n && !stat.isDirectory()) {
      if (seen.has(stat.ino)) continue;
      seen.add(stat.ino);
    }
    bytes += stat.size;
    allocated += stat.blocks * 512n;
  }
  return { bytes: Number(bytes), allocated: Number(allocated) };
}
