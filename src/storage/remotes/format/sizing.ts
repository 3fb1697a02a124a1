// How big packs and index leaves are: fixed for small volumes, grown with the volume so that one
// commit's manifest stays under the CNCF registry's 4 MiB cap however large the volume is.

/** The CNCF registry refuses manifests over 4 MiB; we stay under it with room for the config. */
export const MANIFEST_LIMIT = 4 * 1024 * 1024;

/**
 * A layer descriptor in our manifests is at most ~190 bytes of JSON (media type, 71-byte digest,
 * size, the footer annotation); 4 MiB less 64 KiB for the rest, at 200 bytes each.
 */
export const MAX_DESCRIPTORS = Math.floor((MANIFEST_LIMIT - 64 * 1024) / 200);

/** Of those, packs get this many and the index the rest (with room to spare). */
export const MAX_PACKS = 16_000;
export const MAX_INDEX_BLOBS = 4_000;

/** A pack is closed when it reaches this size at least: small enough for one quick upload. */
export const MIN_PACK_SIZE = 16 * 1024 * 1024;
/** Leaves hold at least this many block hashes (32 KiB of hashes) or about this many entries. */
export const MIN_LEAF_BLOCKS = 1024;
export const MIN_LEAF_ENTRIES = 256;

const MIB = 1024 * 1024;

/**
 * The pack size for a volume of `dataBytes`: 16 MiB, or enough that its data fits in MAX_PACKS packs
 * (whole MiB): a 1 TiB volume gets 66 MiB packs, far below every registry's per-blob limit.
 */
export function packSize(dataBytes: number): number {
  return Math.max(MIN_PACK_SIZE, Math.ceil(dataBytes / MAX_PACKS / MIB) * MIB);
}

function pow2AtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * Block hashes per leaf for `blocks` in the tree: a power of two, so that splitting a file's list at
 * its multiples keeps leaves stable; a parent's larger value is kept (no reshuffle when a volume shrinks).
 */
export function leafBlocks(blocks: number, parent?: number): number {
  const need = Math.max(MIN_LEAF_BLOCKS, pow2AtLeast(Math.ceil((blocks * 2) / MAX_INDEX_BLOBS)));
  return parent !== undefined && parent >= need ? parent : need;
}

/** The average entries per leaf for `entries` in the tree, kept from the parent likewise. */
export function leafEntries(entries: number, parent?: number): number {
  const need = Math.max(MIN_LEAF_ENTRIES, pow2AtLeast(Math.ceil((entries * 2) / MAX_INDEX_BLOBS)));
  return parent !== undefined && parent >= need ? parent : need;
}
