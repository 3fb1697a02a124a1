// The bottom of every remote: a content-addressed store of blobs and tagged manifests, as an OCI
// registry repository or an OCI image layout directory offers it. The remote format
// (src/storage/remotes/format/) is written against this interface only, so both kinds share one
// code path and one conformance suite.

/** An OCI content descriptor (image-spec descriptor.md). Digests are always `sha256:<64 hex>`. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** A byte range of a blob: `length` bytes from `offset`. */
export interface ByteRange {
  offset: number;
  length: number;
}

/** A manifest as stored: its exact bytes (the digest is computed over them) and its descriptor. */
export interface StoredManifest {
  descriptor: Descriptor;
  bytes: Buffer;
}

/**
 * Contracts (every implementation passes `blobstore.testkit.ts`):
 * - Every method fails with a DvolError: `not_found` for a missing blob, manifest or tag; `invalid`
 *   for a malformed digest or tag; `denied` for missing or wrong credentials (with a hint to log
 *   in); `unreachable` when the remote does not answer (with its location). Messages never
 *   contain credentials.
 * - `putBlob` is idempotent and verifies `digest` against `data` before storing (a mismatch is
 *   `corrupt` and stores nothing). A blob is visible to `hasBlob`/`getBlob` only once whole.
 * - `getBlob` without a range verifies the digest of what it read (`corrupt` on mismatch).
 * - `putManifest` stores the bytes exactly, points `reference` (a tag) at them and returns their
 *   descriptor; the blobs it references must have been put first (registries may refuse otherwise).
 * - `resolve` is a HEAD: it never counts as a pull on registries that rate-limit manifest GETs.
 */
export interface BlobStore {
  /** Where the data goes, for messages (`127.0.0.1:5000/team/db`, `/mnt/share/db`); no credentials. */
  readonly location: string;
  hasBlob(digest: string): Promise<boolean>;
  getBlob(digest: string, range?: ByteRange): Promise<Buffer>;
  putBlob(digest: string, data: Buffer): Promise<void>;
  /** The descriptor a tag (or digest) points at, or undefined when there is none. */
  resolve(reference: string): Promise<Descriptor | undefined>;
  getManifest(reference: string): Promise<StoredManifest>;
  putManifest(tag: string, mediaType: string, bytes: Buffer): Promise<Descriptor>;
  listTags(): Promise<string[]>;
  /** Removes a tag (not the manifest); a missing tag is not an error. */
  deleteTag(tag: string): Promise<void>;
}
