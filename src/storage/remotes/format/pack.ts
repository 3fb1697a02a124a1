// Packs: blobs of many stored blocks followed by a JSON footer that lists them, so a pull can read
// the footer and then only the byte ranges it needs. Layout: blocks | footer JSON | 16-byte trailer
// ("DVOLPAK1" and the footer's length as a big-endian u64).

import type { BlobStore, Descriptor } from '../blobstore.js';
import { DvolError } from '../../errors.js';
import type { Codec } from './blocks.js';
import { blobDigest } from './digest.js';
import { FOOTER_ANNOTATION, PACK_TYPE } from './media.js';

const MAGIC = Buffer.from('DVOLPAK1');
const TRAILER = 16;

/** Where one block sits in its pack. */
export interface PackedBlock {
  /** sha256 of the plain bytes. */
  hash: Buffer;
  offset: number;
  length: number;
  codec: Codec;
  plainLength: number;
}

/** A finished pack: its bytes, its descriptor (with the footer length annotated) and its blocks. */
export interface Pack {
  bytes: Buffer;
  descriptor: Descriptor;
  blocks: PackedBlock[];
}

/** Collects stored blocks until the caller decides the pack is big enough. */
export class PackBuilder {
  private readonly parts: Buffer[] = [];
  private readonly blocks: PackedBlock[] = [];
  private size = 0;

  get bytes(): number {
    return this.size;
  }

  get count(): number {
    return this.blocks.length;
  }

  add(hash: Buffer, codec: Codec, data: Buffer, plainLength: number): void {
    this.blocks.push({ hash, offset: this.size, length: data.length, codec, plainLength });
    this.parts.push(data);
    this.size += data.length;
  }

  /** The pack of the blocks added so far. */
  finish(): Pack {
    const footer = Buffer.from(
      JSON.stringify({
        version: 1,
        blocks: this.blocks.map((b) => [b.hash.toString('hex'), b.offset, b.length, b.codec, b.plainLength]),
      }),
    );
    const trailer = Buffer.alloc(TRAILER);
    MAGIC.copy(trailer);
    trailer.writeBigUInt64BE(BigInt(footer.length), 8);
    const bytes = Buffer.concat([...this.parts, footer, trailer]);
    const descriptor: Descriptor = {
      mediaType: PACK_TYPE,
      digest: blobDigest(bytes),
      size: bytes.length,
      annotations: { [FOOTER_ANNOTATION]: String(footer.length) },
    };
    return { bytes, descriptor, blocks: this.blocks };
  }
}

function corrupt(digest: string, why: string): DvolError {
  return new DvolError(
    'corrupt',
    `pack '${digest}' is damaged: ${why}`,
    'push the commit again from a good copy',
  );
}

/** Parses a footer; every block must lie inside the pack's data area. */
export function parseFooter(digest: string, footer: Buffer, dataLength: number): PackedBlock[] {
  let parsed: { version?: unknown; blocks?: unknown };
  try {
    parsed = JSON.parse(footer.toString('utf8')) as typeof parsed;
  } catch {
    throw corrupt(digest, 'its footer is not JSON');
  }
  if (parsed.version !== 1 || !Array.isArray(parsed.blocks)) throw corrupt(digest, 'unknown footer version');
  return parsed.blocks.map((row: unknown) => {
    const [hash, offset, length, codec, plainLength] = Array.isArray(row) ? (row as unknown[]) : [];
    const ok =
      typeof hash === 'string' &&
      /^[0-9a-f]{64}$/.test(hash) &&
      Number.isSafeInteger(offset) &&
      Number.isSafeInteger(length) &&
      Number.isSafeInteger(plainLength) &&
      (codec === 'raw' || codec === 'br') &&
      (offset as number) >= 0 &&
      (length as number) >= 0 &&
      (offset as number) + (length as number) <= dataLength;
    if (!ok) throw corrupt(digest, 'a footer row is malformed');
    return {
      hash: Buffer.from(hash, 'hex'),
      offset: offset as number,
      length: length as number,
      codec: codec as Codec,
      plainLength: plainLength as number,
    };
  });
}

/** The blocks of a pack in the store, read with one range GET (two without the footer annotation). */
export async function readFooter(store: BlobStore, pack: Descriptor): Promise<PackedBlock[]> {
  let footerLength = Number(pack.annotations?.[FOOTER_ANNOTATION]);
  if (!Number.isSafeInteger(footerLength) || footerLength < 0) {
    const trailer = await store.getBlob(pack.digest, { offset: pack.size - TRAILER, length: TRAILER });
    footerLength = Number(trailer.readBigUInt64BE(8));
  }
  const start = pack.size - TRAILER - footerLength;
  if (start < 0) throw corrupt(pack.digest, 'its footer is longer than the pack');
  const tail = await store.getBlob(pack.digest, { offset: start, length: footerLength + TRAILER });
  if (
    tail.length !== footerLength + TRAILER ||
    !tail.subarray(footerLength, footerLength + 8).equals(MAGIC)
  ) {
    throw corrupt(pack.digest, 'its trailer is missing');
  }
  if (Number(tail.readBigUInt64BE(footerLength + 8)) !== footerLength) {
    throw corrupt(pack.digest, 'its footer length does not match');
  }
  return parseFooter(pack.digest, tail.subarray(0, footerLength), start);
}
