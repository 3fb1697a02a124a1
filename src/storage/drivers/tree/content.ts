// Byte-for-byte comparison of two regular files, for when metadata alone cannot decide.

import { promises as fs } from 'node:fs';

const CHUNK = 1 << 20;

/** Whether two regular files have the same bytes (sizes are assumed already compared by the caller). */
export async function sameContent(a: Buffer, b: Buffer): Promise<boolean> {
  const [fa, fb] = await Promise.all([fs.open(a, 'r'), fs.open(b, 'r')]);
  try {
    const ba = Buffer.allocUnsafe(CHUNK);
    const bb = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const [ra, rb] = await Promise.all([fa.read(ba, 0, CHUNK, null), fb.read(bb, 0, CHUNK, null)]);
      if (ra.bytesRead !== rb.bytesRead) return false;
      if (ra.bytesRead === 0) return true;
      if (ba.compare(bb, 0, rb.bytesRead, 0, ra.bytesRead) !== 0) return false;
    }
  } finally {
    await Promise.all([fa.close(), fb.close()]);
  }
}
