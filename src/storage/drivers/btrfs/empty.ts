// Whether a branch still equals the empty directory createBranch made (hasChanges before any commit).

import { promises as fs } from 'node:fs';

/**
 * True when `dir` has no entries and still has createBranch's mode (0755) and owner (root). Its mtime
 * is not compared: an empty directory has no "original" mtime to go back to.
 */
export async function isEmptyBranch(dir: string): Promise<boolean> {
  const stat = await fs.lstat(dir);
  if ((stat.mode & 0o7777) !== 0o755 || stat.uid !== 0 || stat.gid !== 0) return false;
  const handle = await fs.opendir(dir);
  try {
    return (await handle.read()) === null;
  } finally {
    await handle.close().catch(() => undefined);
  }
}
