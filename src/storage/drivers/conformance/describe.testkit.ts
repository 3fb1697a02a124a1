// Canonical descriptions of trees for the conformance suite: two trees are equal for the driver
// contract exactly when their descriptions are deep-equal.

import { createHash } from 'node:crypto';
import fs from 'node:fs';

import { rawPath, walkTree } from '../tree/walk.js';
import { readXattrs } from '../tree/xattr.js';

/**
 * One line per entry (keyed by its path, JSON-escaped): type and mode, owner, mtime (ns), size, a
 * content hash, symlink target, device number, xattrs, and the first path sharing its inode.
 */
export async function describeTree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const firstPathOfInode = new Map<bigint, string>();
  const paths: string[] = [];
  for await (const { path, stat, target } of walkTree(root)) {
    const key = JSON.stringify(path);
    paths.push(path);
    let linkGroup = '';
    if (!stat.isDirectory() && stat.nlink > 1n) {
      linkGroup = firstPathOfInode.get(stat.ino) ?? key;
      if (!firstPathOfInode.has(stat.ino)) firstPathOfInode.set(stat.ino, key);
    }
    const content = stat.isFile() ? hashFile(rawPath(root, path)) : '';
    out[key] = [
      `mode=${stat.mode.toString(8)}`,
      `owner=${stat.uid}:${stat.gid}`,
      `mtime=${stat.mtimeNs}`,
      `size=${stat.isDirectory() ? '-' : stat.size}`,
      `content=${content}`,
      `target=${target === undefined ? '' : JSON.stringify(target)}`,
      `rdev=${stat.isCharacterDevice() || stat.isBlockDevice() ? stat.rdev : ''}`,
      `links=${linkGroup}`,
    ].join(' ');
  }
  const xattrs = await readXattrs(paths.map((p) => rawPath(root, p)));
  paths.forEach((p, i) => {
    const key = JSON.stringify(p);
    out[key] += ` xattrs=${JSON.stringify(xattrs[i] ?? '')}`;
  });
  return out;
}

function hashFile(file: Buffer): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 16);
}
