// restoreTree: rebuilds a pushed commit's tree in a new directory, byte for byte and with every
// piece of metadata. It builds in a temp directory beside the target and renames it into place at
// the end, so a failure (a damaged blob, a full disk) leaves no target at all.

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

import type { BlobStore } from '../blobstore.js';
import { fsyncDir, removeTree, syncFilesystem } from '../../drivers/fsutil.js';
import { rawPath } from '../../drivers/tree/walk.js';
import { DvolError, asDvolError } from '../../errors.js';
import { checkBlockSize } from './blocks.js';
import { fetchCommit } from './commit.js';
import { type IndexEntry, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from './entry.js';
import { loadIndex } from './index-tree.js';
import { applyOwnersAndModes, applyTimes, applyXattrs, isNode, makeNode } from './metadata.js';
import { restoreData } from './restore-data.js';

export interface RestoreStats {
  entries: number;
  bytesWritten: number;
}

function corrupt(why: string): DvolError {
  return new DvolError(
    'corrupt',
    `the tree index is damaged: ${why}`,
    'push the commit again from a good copy',
  );
}

/** Checks what a hostile or damaged index could use to escape the target or overrun a file. */
function checkEntries(entries: IndexEntry[], blockSize: number): void {
  if (entries[0]?.path !== '' || (entries[0].mode & S_IFMT) !== S_IFDIR)
    throw corrupt('its root is not a directory');
  const seen = new Set<string>();
  const dirs = new Set<string>();
  for (const e of entries) {
    const parts = e.path.split('/');
    if (e.path !== '' && parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\0'))) {
      throw corrupt(`the path '${e.path}' is not a plain relative path`);
    }
    // Parents must be directories made before: a symlink as a parent would lead writes out of the target.
    if (e.path !== '' && !dirs.has(parts.slice(0, -1).join('/'))) {
      throw corrupt(`'${e.path}' does not follow its parent directory`);
    }
    if ((e.mode & S_IFMT) === S_IFDIR) dirs.add(e.path);
    if (seen.has(e.path)) throw corrupt(`'${e.path}' appears twice`);
    seen.add(e.path);
    if (e.link !== undefined && !seen.has(e.link))
      throw corrupt(`the hard link '${e.path}' precedes its target`);
    const type = e.mode & S_IFMT;
    if (
      type === S_IFREG &&
      e.link === undefined &&
      (e.blocks?.length ?? 0) !== Math.ceil(e.size / blockSize) * 32
    ) {
      throw corrupt(`the block list of '${e.path}' does not match its size`);
    }
  }
}

/** Creates every entry (files empty at their size, links, nodes) under `root`, which exists. */
async function createEntries(root: string, entries: IndexEntry[]): Promise<IndexEntry[]> {
  const files: IndexEntry[] = [];
  let seq = 0;
  for (const e of entries.slice(1)) {
    const p = rawPath(root, e.path);
    const type = e.mode & S_IFMT;
    if (e.link !== undefined) await fs.link(rawPath(root, e.link), p);
    else if (type === S_IFDIR) await fs.mkdir(p, 0o700);
    else if (type === S_IFLNK) await fs.symlink(Buffer.from(e.target ?? '', 'latin1'), p);
    else if (isNode(e.mode)) await makeNode(root, e.path, e, seq++);
    else if (type === S_IFREG) {
      const handle = await fs.open(p, 'wx', 0o600);
      await handle.truncate(e.size); // holes stay holes: only stored blocks are written
      await handle.close();
      if (e.size > 0) files.push(e);
    } else throw corrupt(`'${e.path}' has an unknown file type`);
  }
  return files;
}

/**
 * Restores the commit `reference` (tag or manifest digest) into `target`, which must not exist.
 * Every blob is verified by digest and every block by its hash ('corrupt' otherwise).
 */
export async function restoreTree(
  store: BlobStore,
  reference: string,
  target: string,
): Promise<RestoreStats> {
  const commit = await fetchCommit(store, reference);
  if (!commit.indexRoot)
    throw new DvolError('not_found', `the data of commit '${commit.config.id}' was deleted`);
  const index = await loadIndex(store, commit.indexRoot.digest);
  const blockSize = checkBlockSize(index.params.blockSize);
  checkEntries(index.entries, blockSize);
  try {
    await fs.lstat(target);
    throw new DvolError('exists', `'${target}' already exists`, 'restore into a new directory');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw asDvolError(err, `checking '${target}'`);
  }
  const temp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.dvol-restore-${randomBytes(4).toString('hex')}`,
  );
  await fs.mkdir(temp, 0o700);
  try {
    const files = await createEntries(temp, index.entries);
    const bytesWritten = await restoreData(store, commit.packs, temp, files, blockSize);
    const own = index.entries.filter((e) => e.link === undefined);
    await applyXattrs(temp, own);
    await applyOwnersAndModes(temp, own);
    await applyTimes(temp, own.slice(1));
    await syncFilesystem(temp, `flushing '${temp}'`); // the data is durable before it gets its name
    await fs.rename(temp, target);
    await applyTimes(target, own.slice(0, 1)); // the root's times, once nothing moves in it any more
    await fsyncDir(path.dirname(target));
    return { entries: index.entries.length, bytesWritten };
  } catch (err) {
    await removeTree(temp, `removing '${temp}'`).catch(() => undefined);
    throw asDvolError(err, `restoring into '${target}'`);
  }
}
