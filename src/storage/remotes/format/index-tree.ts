// The tree index as a two-level hash tree: leaves of a few hundred entries or a thousand block
// hashes, cut where a change stays local (a big file's list at fixed block multiples, elsewhere
// after entries whose path hash says so), and a root listing the leaves. An unchanged leaf keeps
// its digest, so a commit that changed little uploads a small index.

import type { BlobStore, Descriptor } from '../blobstore.js';
import { DvolError } from '../../errors.js';
import { blobDigest, sha256 } from './digest.js';
import { type EntryRecord, type IndexEntry, addRecord, toRecord } from './entry.js';
import { INDEX_LEAF_TYPE, INDEX_ROOT_TYPE } from './media.js';
import { leafBlocks, leafEntries } from './sizing.js';

/** How the index was cut; recorded in the root so the next commit cuts the same way. */
export interface IndexParams {
  blockSize: number;
  leafBlocks: number;
  leafEntries: number;
}

/** A blob of the index, with its bytes (to upload) and descriptor. */
export interface IndexBlob {
  descriptor: Descriptor;
  bytes: Buffer;
}

export interface BuiltIndex {
  root: IndexBlob;
  leaves: IndexBlob[];
  params: IndexParams;
}

export interface LoadedIndex {
  params: IndexParams;
  entries: IndexEntry[];
  /** The root, then the leaves, as the manifest lists them. */
  blobs: Descriptor[];
}

function blob(mediaType: string, value: unknown): IndexBlob {
  const bytes = Buffer.from(JSON.stringify(value));
  return { bytes, descriptor: { mediaType, digest: blobDigest(bytes), size: bytes.length } };
}

/** Builds the index of `entries` (in walk order); `parent` gives the previous commit's cutting. */
export function buildIndex(entries: IndexEntry[], blockSize: number, parent?: IndexParams): BuiltIndex {
  const totalBlocks = entries.reduce((n, e) => n + (e.blocks?.length ?? 0) / 32, 0);
  const params: IndexParams = {
    blockSize,
    leafBlocks: leafBlocks(totalBlocks, parent?.leafBlocks),
    leafEntries: leafEntries(entries.length, parent?.leafEntries),
  };
  const leaves: IndexBlob[] = [];
  let records: EntryRecord[] = [];
  let blocksInLeaf = 0;
  const cut = () => {
    if (records.length === 0) return;
    leaves.push(blob(INDEX_LEAF_TYPE, { version: 1, entries: records }));
    records = [];
    blocksInLeaf = 0;
  };
  const L = params.leafBlocks;
  for (const e of entries) {
    const n = (e.blocks?.length ?? 0) / 32;
    if (n > L) {
      // A big file: its list is cut at multiples of L, so a change in one part changes one leaf.
      records.push(toRecord(e, L));
      cut();
      for (let o = L; o < n; o += L) {
        const b = (e.blocks as Buffer).subarray(o * 32, Math.min(n, o + L) * 32).toString('base64');
        records.push({ p: Buffer.from(e.path, 'latin1').toString('base64'), o, b });
        cut();
      }
      continue;
    }
    records.push(toRecord(e, n));
    blocksInLeaf += n;
    const boundary = sha256(Buffer.from(e.path, 'latin1')).readUInt32BE(0) % params.leafEntries === 0;
    if (boundary || blocksInLeaf >= L || records.length >= 4 * params.leafEntries) cut();
  }
  cut();
  const root = blob(INDEX_ROOT_TYPE, {
    version: 1,
    ...params,
    entries: entries.length,
    leaves: leaves.map((l) => ({ digest: l.descriptor.digest, size: l.descriptor.size })),
  });
  return { root, leaves, params };
}

function bad(why: string): DvolError {
  return new DvolError(
    'corrupt',
    `the tree index is damaged: ${why}`,
    'push the commit again from a good copy',
  );
}

function parseJson(bytes: Buffer, what: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(bytes.toString('utf8'));
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw bad(`${what} is not a JSON object`);
}

/** Reads the index whose root blob is `rootDigest`; every blob is verified by the store's digest check. */
export async function loadIndex(store: BlobStore, rootDigest: string): Promise<LoadedIndex> {
  const rootBytes = await store.getBlob(rootDigest);
  const root = parseJson(rootBytes, 'its root');
  const { version, blockSize, leafBlocks: lb, leafEntries: le, leaves } = root;
  if (version !== 1 || !Array.isArray(leaves)) throw bad('its root has an unknown version');
  if (![blockSize, lb, le].every((v) => Number.isSafeInteger(v) && (v as number) > 0)) {
    throw bad('its root has no block size');
  }
  const blobs: Descriptor[] = [{ mediaType: INDEX_ROOT_TYPE, digest: rootDigest, size: rootBytes.length }];
  const entries: IndexEntry[] = [];
  for (const leaf of leaves as { digest?: unknown; size?: unknown }[]) {
    if (typeof leaf?.digest !== 'string' || !Number.isSafeInteger(leaf.size))
      throw bad('a leaf has no digest');
    const bytes = await store.getBlob(leaf.digest);
    const parsed = parseJson(bytes, `leaf '${leaf.digest}'`);
    if (parsed.version !== 1 || !Array.isArray(parsed.entries))
      throw bad(`leaf '${leaf.digest}' has no entries`);
    for (const r of parsed.entries as EntryRecord[]) addRecord(entries, r);
    blobs.push({ mediaType: INDEX_LEAF_TYPE, digest: leaf.digest, size: bytes.length });
  }
  const params = { blockSize: blockSize as number, leafBlocks: lb as number, leafEntries: le as number };
  return { params, entries, blobs };
}
