// Reads a file inside a volume for the mirror. A container controls it: never follow a symlink,
// never block on a FIFO or device, never read more than the limit.

import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

export type FileRead = { ok: true; data: Buffer } | { ok: false; reason: string };

/** The whole content of a regular file of at most `limit` bytes, or why it is not mirrored. */
export async function readMirroredFile(path: string, limit: number): Promise<FileRead> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { ok: false, reason: 'a symbolic link' };
    if (code === 'ENOENT') return { ok: false, reason: 'gone' };
    return { ok: false, reason: `cannot be opened (${code ?? String(err)})` };
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return { ok: false, reason: 'not a regular file' };
    if (st.size > limit) return { ok: false, reason: `larger than the mirror's limit of ${limit} bytes` };
    const data = Buffer.alloc(st.size);
    let filled = 0;
    while (filled < data.length) {
      const { bytesRead } = await handle.read(data, filled, data.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return { ok: true, data: data.subarray(0, filled) };
  } finally {
    await handle.close();
  }
}
