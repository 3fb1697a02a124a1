// The upload side of dedup: takes a push's blocks one by one, keeps those the remote already has
// (by the local record of its packs, checking with one HEAD a pack no parent commit vouches for),
// and packs the rest into blobs it puts as each fills up.

import type { BlobStore, Descriptor } from '../blobstore.js';
import { encodeBlock } from './blocks.js';
import type { KnownBlocks } from './known.js';
import { type Pack, PackBuilder } from './pack.js';

export interface PackWriterStats {
  blocksNew: number;
  blocksReused: number;
  packsSent: number;
  bytesSent: number;
}

export class PackWriter {
  private pack = new PackBuilder();
  /** Blocks in the pack being built, by hash (latin1 key). */
  private pending = new Set<string>();
  /** Blocks of the pack being put, until it is recorded as known. */
  private sending = new Set<string>();
  /** The put of the previous pack: it overlaps with reading and hashing the next one. */
  private inFlight: Promise<void> | undefined;
  /** Packs whose presence on the remote is settled this push: true when there. */
  private readonly checked = new Map<string, boolean>();
  readonly stats: PackWriterStats = { blocksNew: 0, blocksReused: 0, packsSent: 0, bytesSent: 0 };

  constructor(
    private readonly store: BlobStore,
    private readonly known: KnownBlocks,
    /** Packs of the parent commit: referenced by a tagged manifest, so they are there. */
    parentPacks: Iterable<string>,
    private readonly packSize: number,
    private readonly onPack?: (pack: Descriptor) => void,
    private readonly signal?: AbortSignal,
  ) {
    for (const p of parentPacks) this.checked.set(p, true);
  }

  /** Adds one non-hole block of plain bytes with its hash. */
  async add(hash: Buffer, plain: Buffer): Promise<void> {
    const key = hash.toString('latin1');
    if (this.pending.has(key) || this.sending.has(key) || (await this.remoteHas(hash))) {
      this.stats.blocksReused++;
      return;
    }
    const { codec, data } = encodeBlock(plain);
    // The plain bytes may be a view of a reused read buffer: keep a copy of what goes in the pack.
    this.pack.add(hash, codec, codec === 'raw' ? Buffer.from(data) : data, plain.length);
    this.pending.add(key);
    this.stats.blocksNew++;
    if (this.pack.bytes >= this.packSize) await this.flush();
  }

  /**
   * Closes the pack being built and starts its put, after the previous put has finished: one pack
   * is in flight at a time, and a pack is recorded as known only once it is stored.
   */
  async flush(): Promise<void> {
    if (this.pack.count === 0) return;
    this.signal?.throwIfAborted();
    const pack = this.pack.finish();
    this.pack = new PackBuilder();
    await this.inFlight;
    this.sending = this.pending;
    this.pending = new Set();
    const put = this.put(pack);
    put.catch(() => undefined); // awaited by the next flush or by drain; not an unhandled rejection
    this.inFlight = put;
  }

  /** Puts what is left and waits for every put: after it, every block added is known. */
  async drain(): Promise<void> {
    await this.flush();
    await this.inFlight;
    this.inFlight = undefined;
  }

  /** Waits for the put in flight, if any, ignoring its failure: for a push that is failing anyway. */
  async settle(): Promise<void> {
    await this.inFlight?.catch(() => undefined);
    this.inFlight = undefined;
  }

  private async put({ bytes, descriptor, blocks }: Pack): Promise<void> {
    await this.store.putBlob(descriptor.digest, bytes);
    await this.known.add(descriptor, Buffer.concat(blocks.map((b) => b.hash)));
    this.checked.set(descriptor.digest, true);
    this.sending = new Set();
    this.stats.packsSent++;
    this.stats.bytesSent += bytes.length;
    this.onPack?.(descriptor);
  }

  /** Whether a known pack on the remote holds this block; a pack found missing is forgotten. */
  private async remoteHas(hash: Buffer): Promise<boolean> {
    for (;;) {
      const pack = this.known.packOf(hash);
      if (pack === undefined) return false;
      let there = this.checked.get(pack);
      if (there === undefined) {
        there = await this.store.hasBlob(pack);
        this.checked.set(pack, there);
      }
      if (there) return true;
      await this.known.forget(pack);
    }
  }
}
