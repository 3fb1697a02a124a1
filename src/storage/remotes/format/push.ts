// pushTree: uploads a directory tree as blocks in packs plus its index, reading only the files that
// changed since the parent commit and sending only the blocks the remote lacks.

import { constants, promises as fs } from 'node:fs';

import type { BlobStore, Descriptor } from '../blobstore.js';
import { rawPath } from '../../drivers/tree/walk.js';
import { DvolError, asDvolError } from '../../errors.js';
import { DEFAULT_BLOCK_SIZE, HOLE, checkBlockSize, isZero } from './blocks.js';
import { sha256 } from './digest.js';
import type { IndexEntry } from './entry.js';
import { type LoadedIndex, buildIndex } from './index-tree.js';
import { KnownBlocks } from './known.js';
import { readFooter } from './pack.js';
import { PackWriter, type PackWriterStats } from './pack-writer.js';
import { scanTree } from './scan.js';
import { packSize } from './sizing.js';

/** The tree of the parent commit as the remote holds it (see `loadParent` in commit.ts). */
export interface ParentTree {
  index: LoadedIndex;
  packs: Descriptor[];
}

export interface PushTreeOptions {
  parent?: ParentTree;
  /** The local record of what this remote holds (created when absent). */
  knownBlobs: string;
  /** Block size for a tree without a parent (a parent's is kept): 8–64 KiB, a power of two. */
  blockSize?: number;
  /** Stops the push before its next pack is put; packs already put stay recorded. */
  signal?: AbortSignal;
  /** Called after each pack is put. */
  onPack?: (pack: Descriptor) => void;
}

export interface PushStats extends PackWriterStats {
  entries: number;
  filesRead: number;
  bytesRead: number;
  indexBlobsSent: number;
  skipped: string[];
}

export interface PushTreeResult {
  /** The index root; `indexBlobs` starts with it. */
  index: Descriptor;
  indexBlobs: Descriptor[];
  /** Every pack the tree's blocks are in, those reused from earlier commits included. */
  packs: Descriptor[];
  blockSize: number;
  stats: PushStats;
}

/** Blocks read per system call: big reads, few calls. */
const READ_BLOCKS = 64;

/** Hashes a file's blocks into `e.blocks`, handing every non-hole block to the writer. */
async function readFile(dir: string, e: IndexEntry, blockSize: number, writer: PackWriter): Promise<void> {
  const flags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
  const handle = await fs.open(rawPath(dir, e.path), flags);
  try {
    const st = await handle.stat({ bigint: true });
    if (!st.isFile() || Number(st.size) !== e.size) {
      throw new DvolError(
        'conflict',
        `'${e.path}' changed while it was being pushed`,
        'push a commit, not live data',
      );
    }
    const count = Math.ceil(e.size / blockSize);
    const hashes = Buffer.alloc(count * 32);
    const buf = Buffer.alloc(blockSize * READ_BLOCKS);
    for (let i = 0; i < count; i += READ_BLOCKS) {
      const want = Math.min(buf.length, e.size - i * blockSize);
      const { bytesRead } = await handle.read(buf, 0, want, i * blockSize);
      if (bytesRead !== want) throw new DvolError('conflict', `'${e.path}' shrank while it was being pushed`);
      for (let j = 0; j * blockSize < want; j++) {
        const block = buf.subarray(j * blockSize, Math.min(want, (j + 1) * blockSize));
        if (isZero(block)) continue; // the hash list already holds HOLE (zeros) there
        const hash = sha256(block);
        hash.copy(hashes, (i + j) * 32);
        await writer.add(hash, block);
      }
    }
    e.blocks = hashes;
  } finally {
    await handle.close();
  }
}

/** Makes `known` hold the parent's packs (from their footers when the record lacks them) and prefer them. */
async function adoptParent(store: BlobStore, known: KnownBlocks, parent: ParentTree): Promise<void> {
  for (const pack of parent.packs) {
    if (!known.has(pack.digest)) {
      const blocks = await readFooter(store, pack);
      await known.add(pack, Buffer.concat(blocks.map((b) => b.hash)));
    }
    known.prefer(pack.digest);
  }
}

/** The packs holding every block of `entries`, in first-use order. */
function packsOf(entries: IndexEntry[], known: KnownBlocks): Descriptor[] {
  const packs = new Map<string, Descriptor>();
  for (const e of entries) {
    const blocks = e.blocks;
    if (blocks === undefined) continue;
    for (let i = 0; i < blocks.length; i += 32) {
      const hash = blocks.subarray(i, i + 32);
      if (hash.equals(HOLE)) continue;
      const pack = known.packOf(hash);
      const descriptor = pack === undefined ? undefined : known.descriptor(pack);
      if (descriptor === undefined) {
        throw new DvolError('internal', `no pack holds a block of '${e.path}'`, 'push again');
      }
      if (!packs.has(descriptor.digest)) packs.set(descriptor.digest, descriptor);
    }
  }
  return [...packs.values()];
}

/** Pushes the tree at `dir` into `store` (blobs only: the manifest is pushCommit's). */
export async function pushTree(
  dir: string,
  store: BlobStore,
  opts: PushTreeOptions,
): Promise<PushTreeResult> {
  const parent = opts.parent;
  const blockSize = checkBlockSize(parent?.index.params.blockSize ?? opts.blockSize ?? DEFAULT_BLOCK_SIZE);
  const known = await KnownBlocks.open(opts.knownBlobs);
  if (parent) await adoptParent(store, known, parent);
  const parentEntries = new Map((parent?.index.entries ?? []).map((e) => [e.path, e]));
  let scanned;
  try {
    scanned = await scanTree(dir, parentEntries);
  } catch (err) {
    throw asDvolError(err, `reading '${dir}'`);
  }
  const parentPacks = (parent?.packs ?? []).map((p) => p.digest);
  const size = packSize(scanned.dataBytes);
  const writer = new PackWriter(store, known, parentPacks, size, opts.onPack, opts.signal);
  let bytesRead = 0;
  try {
    for (const e of scanned.toRead) {
      opts.signal?.throwIfAborted();
      await readFile(dir, e, blockSize, writer);
      bytesRead += e.size;
    }
    await writer.drain();
  } catch (err) {
    await writer.settle(); // a pack being put is finished and recorded: a rerun need not send it again
    throw err;
  }
  const index = buildIndex(scanned.entries, blockSize, parent?.index.params);
  const have = new Set((parent?.index.blobs ?? []).map((b) => b.digest));
  let indexBlobsSent = 0;
  for (const b of [...index.leaves, index.root]) {
    if (have.has(b.descriptor.digest)) continue;
    await store.putBlob(b.descriptor.digest, b.bytes);
    indexBlobsSent++;
    writer.stats.bytesSent += b.bytes.length;
  }
  return {
    index: index.root.descriptor,
    indexBlobs: [index.root.descriptor, ...index.leaves.map((l) => l.descriptor)],
    packs: packsOf(scanned.entries, known),
    blockSize,
    stats: {
      ...writer.stats,
      entries: scanned.entries.length,
      filesRead: scanned.toRead.length,
      bytesRead,
      indexBlobsSent,
      skipped: scanned.skipped,
    },
  };
}
