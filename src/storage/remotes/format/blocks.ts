// Blocks: the fixed-size, file-offset-aligned pieces of a regular file that the remote stores once
// each, addressed by the sha256 of their plain bytes, compressed with brotli only when that pays.

import zlib from 'node:zlib';

import { DvolError } from '../../errors.js';

export const DEFAULT_BLOCK_SIZE = 16 * 1024;
export const MIN_BLOCK_SIZE = 8 * 1024;
export const MAX_BLOCK_SIZE = 64 * 1024;

/** The hash that marks a hole (an all-zero block, not stored) in a file's block list. */
export const HOLE = Buffer.alloc(32);

/** How a block's bytes are stored in its pack. */
export type Codec = 'raw' | 'br';

/** Throws 'invalid' unless `size` is a power of two from 8 to 64 KiB. */
export function checkBlockSize(size: number): number {
  const pow2 = Number.isInteger(size) && size > 0 && (size & (size - 1)) === 0;
  if (!pow2 || size < MIN_BLOCK_SIZE || size > MAX_BLOCK_SIZE) {
    throw new DvolError(
      'invalid',
      `invalid block size '${size}': it must be a power of two from 8 KiB to 64 KiB`,
      'use 8192, 16384, 32768 or 65536',
    );
  }
  return size;
}

const ZEROS = Buffer.alloc(MAX_BLOCK_SIZE);

/** Whether every byte of `block` is zero (a hole). */
export function isZero(block: Buffer): boolean {
  return block.equals(ZEROS.subarray(0, block.length));
}

/**
 * Order-0 entropy (bits per byte) of every 8th byte: a cheap test that skips brotli for random or
 * already-compressed data, where it costs ~10 µs per KiB here and saves nothing.
 */
function sampledEntropy(block: Buffer): number {
  const counts = new Uint32Array(256);
  let n = 0;
  for (let i = 0; i < block.length; i += 8, n++)
    counts[block[i] as number] = (counts[block[i] as number] as number) + 1;
  let bits = 0;
  for (const c of counts) if (c > 0) bits -= (c / n) * Math.log2(c / n);
  return bits;
}

/** Above this sampled entropy a block is stored raw without trying (7.5 of 8 bits: ≤ 6 % to gain). */
const MAX_ENTROPY = 7.5;

const BROTLI = {
  params: {
    [zlib.constants.BROTLI_PARAM_QUALITY]: 1,
    // A 64 KiB window covers any block; the default 4 MiB window costs more to set up than to use.
    [zlib.constants.BROTLI_PARAM_LGWIN]: 16,
  },
};

/** The stored form of a block: brotli when it saves at least 1/8 of the bytes, raw otherwise. */
export function encodeBlock(plain: Buffer): { codec: Codec; data: Buffer } {
  if (plain.length >= 256 && sampledEntropy(plain) <= MAX_ENTROPY) {
    const packed = zlib.brotliCompressSync(plain, BROTLI);
    if (packed.length <= plain.length - plain.length / 8) return { codec: 'br', data: packed };
  }
  return { codec: 'raw', data: plain };
}

/** The plain bytes of a stored block; 'corrupt' when they cannot be decoded to `plainLength` bytes. */
export function decodeBlock(codec: string, data: Buffer, plainLength: number): Buffer {
  if (codec === 'raw' && data.length === plainLength) return data;
  if (codec === 'br') {
    try {
      const plain = zlib.brotliDecompressSync(data, { maxOutputLength: plainLength });
      if (plain.length === plainLength) return plain;
    } catch {
      // reported below as corrupt
    }
  }
  throw new DvolError('corrupt', `a block of codec '${codec}' does not decode to ${plainLength} bytes`);
}
