// Writes the blocks of restored files pack by pack: each pack is read once (whole, digest-checked by
// the store, or the one span its needed blocks lie in), each block checked against its hash and
// written at every offset that holds it, so the files stay sparse where the index has holes.

import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

import type { BlobStore, Descriptor } from '../blobstore.js';
import { rawPath } from '../../drivers/tree/walk.js';
import { DvolError } from '../../errors.js';
import { HOLE, decodeBlock } from './blocks.js';
import { sha256 } from './digest.js';
import type { IndexEntry } from './entry.js';
import { type PackedBlock, readFooter } from './pack.js';

interface Wanted {
  block: PackedBlock;
  /** [entry index, block index] pairs. */
  at: [number, number][];
}

function corrupt(why: string): DvolError {
  return new DvolError(
    'corrupt',
    `the commit's data is damaged: ${why}`,
    'push the commit again from a good copy',
  );
}

/** Which blocks each pack must give, from the footers of the commit's packs. */
async function plan(store: BlobStore, packs: Descriptor[], files: IndexEntry[]) {
  const where = new Map<string, { pack: Descriptor; block: PackedBlock }>();
  for (const pack of packs) {
    for (const block of await readFooter(store, pack))
      where.set(block.hash.toString('latin1'), { pack, block });
  }
  const perPack = new Map<string, Map<string, Wanted>>();
  const remaining = new Map<number, number>();
  files.forEach((e, fi) => {
    const blocks = e.blocks as Buffer;
    for (let bi = 0; bi * 32 < blocks.length; bi++) {
      const hash = blocks.subarray(bi * 32, bi * 32 + 32);
      if (hash.equals(HOLE)) continue;
      const key = hash.toString('latin1');
      const found = where.get(key);
      if (!found) throw corrupt(`block ${hash.toString('hex')} of '${e.path}' is in none of its packs`);
      let wanted = perPack.get(found.pack.digest);
      if (!wanted) perPack.set(found.pack.digest, (wanted = new Map()));
      const w = wanted.get(key) ?? { block: found.block, at: [] };
      w.at.push([fi, bi]);
      wanted.set(key, w);
      remaining.set(fi, (remaining.get(fi) ?? 0) + 1);
    }
  });
  return { perPack, remaining, packs: packs.filter((p) => perPack.has(p.digest)) };
}

/** Reads the part of `pack` that holds `wanted`: the whole blob when that is most of it. */
async function fetchSpan(
  store: BlobStore,
  pack: Descriptor,
  wanted: Wanted[],
): Promise<{ start: number; bytes: Buffer }> {
  const start = Math.min(...wanted.map((w) => w.block.offset));
  const end = Math.max(...wanted.map((w) => w.block.offset + w.block.length));
  if (end - start >= pack.size / 2) return { start: 0, bytes: await store.getBlob(pack.digest) };
  return { start, bytes: await store.getBlob(pack.digest, { offset: start, length: end - start }) };
}

/** Fills the (already created, truncated to size) `files` under `root` from the commit's packs. */
export async function restoreData(
  store: BlobStore,
  packs: Descriptor[],
  root: string,
  files: IndexEntry[],
  blockSize: number,
): Promise<number> {
  const { perPack, remaining, packs: needed } = await plan(store, packs, files);
  const open = new Map<number, FileHandle>();
  let written = 0;
  try {
    // One pack ahead is fetched while the current one is written.
    let next = needed[0]
      ? fetchSpan(store, needed[0], [...(perPack.get(needed[0].digest) ?? new Map()).values()])
      : undefined;
    for (let k = 0; k < needed.length; k++) {
      const pack = needed[k] as Descriptor;
      const wanted = [...(perPack.get(pack.digest) as Map<string, Wanted>).values()];
      const { start, bytes } = await (next as Promise<{ start: number; bytes: Buffer }>);
      const following = needed[k + 1];
      next = following
        ? fetchSpan(store, following, [...(perPack.get(following.digest) as Map<string, Wanted>).values()])
        : undefined;
      for (const w of wanted) {
        const stored = bytes.subarray(w.block.offset - start, w.block.offset - start + w.block.length);
        const plain = decodeBlock(w.block.codec, stored, w.block.plainLength);
        if (!sha256(plain).equals(w.block.hash))
          throw corrupt(`block ${w.block.hash.toString('hex')} does not match its hash`);
        for (const [fi, bi] of w.at) {
          const e = files[fi] as IndexEntry;
          let handle = open.get(fi);
          if (!handle) open.set(fi, (handle = await fs.open(rawPath(root, e.path), 'r+')));
          if (plain.length !== Math.min(blockSize, e.size - bi * blockSize)) {
            throw corrupt(`block ${bi} of '${e.path}' has the wrong length`);
          }
          await handle.write(plain, 0, plain.length, bi * blockSize);
          written += plain.length;
          const left = (remaining.get(fi) as number) - 1;
          remaining.set(fi, left);
          if (left === 0) {
            open.delete(fi);
            await handle.close();
          }
        }
      }
    }
    await next?.catch(() => undefined);
  } finally {
    await Promise.all([...open.values()].map((h) => h.close()));
  }
  return written;
}
