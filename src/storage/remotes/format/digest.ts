// sha256 digests: of blobs (as `sha256:<hex>`, what registries verify) and of blocks (32 raw bytes).

import { createHash } from 'node:crypto';

import { sha256Digest } from '../blobstore.js';

/** The 32-byte sha256 of `data`. */
export function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/** The OCI digest of a blob (the stores' own function: one definition of a digest). */
export const blobDigest = sha256Digest;
