// The bottom of every remote: a content-addressed store of blobs and tagged manifests, as an OCI
// registry repository or an OCI image layout directory offers it. The remote format
// (src/storage/remotes/format/) is written against this interface only, so both kinds share one
// code path and one conformance suite.

import { createHash } from 'node:crypto';
import { DvolError } from '../errors.js';

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
 * - `getBlob` without a range verifies the digest of what it read (`corrupt` on mismatch). A range
 *   must lie inside the blob (`invalid` otherwise); a zero-length range is an empty buffer.
 * - `putManifest` stores the bytes exactly, points `reference` (a tag) at them and returns their
 *   descriptor; the blobs it references must have been put first (registries may refuse otherwise).
 * - `resolve` is a HEAD: it never counts as a pull on registries that rate-limit manifest GETs.
 *   Its descriptor carries `mediaType`, `digest` and `size` only (all a registry's HEAD tells).
 * - A reference is a tag (`TAG_PATTERN`) or a digest; anything else is `invalid` before any I/O.
 *   Tag names are data, never object keys: `__proto__` is an ordinary tag.
 * - `deleteTag` fails with `unsupported`, changing nothing, on a registry that cannot delete a tag
 *   without deleting its manifest (CNCF distribution 2.x): the format must not depend on it.
 * - `listTags` is sorted (code-unit order) and complete (every page of a registry's list).
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

/** OCI's tag grammar (distribution-spec): what every registry accepts. */
export const TAG_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;

/** The `sha256:<hex>` digest of `data`. */
export function sha256Digest(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Whether `value` is a digest this store accepts (lowercase sha256, as registries require). */
export function isDigest(value: string): boolean {
  return DIGEST_PATTERN.test(value);
}

/** Shown in messages: untrusted input, quoted and cut short so a hostile value cannot flood a log. */
function shown(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
}

/** Throws `invalid` unless `digest` is a sha256 digest; returns its hex part. */
export function checkDigest(digest: string): string {
  if (typeof digest !== 'string' || !isDigest(digest)) {
    throw new DvolError(
      'invalid',
      `${shown(String(digest))} is not a sha256 digest`,
      'use sha256:<64 lowercase hex>',
    );
  }
  return digest.slice('sha256:'.length);
}

/** Throws `invalid` unless `tag` is a valid OCI tag. */
export function checkTag(tag: string): void {
  if (typeof tag !== 'string' || !TAG_PATTERN.test(tag)) {
    throw new DvolError(
      'invalid',
      `${shown(String(tag))} is not a valid tag`,
      'a tag is 1-128 of [A-Za-z0-9_.-], not starting with . or -',
    );
  }
}

/** Throws `invalid` unless `reference` is a tag or a digest; tells which. */
export function checkReference(reference: string): 'tag' | 'digest' {
  if (typeof reference === 'string' && isDigest(reference)) return 'digest';
  checkTag(reference);
  return 'tag';
}

/** Throws `invalid` unless `range` is inside a blob of `size` bytes (when the size is known). */
export function checkRange(range: ByteRange, size?: number): void {
  const { offset, length } = range;
  const ok =
    Number.isSafeInteger(offset) &&
    Number.isSafeInteger(length) &&
    offset >= 0 &&
    length >= 0 &&
    (size === undefined || offset + length <= size);
  if (!ok) {
    const inside = size === undefined ? 'is not a valid range' : `is not inside the ${size}-byte blob`;
    throw new DvolError('invalid', `the byte range ${offset}+${length} ${inside}`);
  }
}

/** How a missing reference is named in a message: `tag 'x'` or `manifest sha256:...`. */
export function referenceName(reference: string): string {
  return reference.startsWith('sha256:') ? `manifest ${reference}` : `tag '${reference}'`;
}

/** The `corrupt` error of a blob whose bytes do not hash to its digest. */
export function digestMismatch(digest: string, where: string, actual: string): DvolError {
  return new DvolError(
    'corrupt',
    `blob ${digest} from ${where} does not match its digest (got ${actual})`,
    'the data was damaged in transit or in storage; run the command again',
  );
}
