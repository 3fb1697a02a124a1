// The index lock of a directory remote: a file made with O_EXCL, so two writers (two processes, or
// two machines on a shared mount) never interleave their read-modify-write of index.json.

import { open, rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { DvolError, asDvolError } from '../../errors.js';

/** A holder updates index.json in milliseconds; a lock this old was left by a writer that died. */
const STALE_MS = 30_000;
/** How long a writer waits for the lock before giving up. */
const WAIT_MS = 60_000;

/** Runs `fn` while holding the lock file `path`; waits for another holder, breaks a stale lock. */
export async function withLockFile<T>(
  path: string,
  fn: () => Promise<T>,
  opts = { staleMs: STALE_MS },
): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (let delay = 2; ; delay = Math.min(delay * 2, 100)) {
    try {
      const handle = await open(path, 'wx', 0o644);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw asDvolError(err, `locking ${path}`);
    }
    const age = await stat(path).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > opts.staleMs) {
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new DvolError(
        'locked',
        `the directory remote is locked by another writer (${path})`,
        'if no dvol push runs against it, remove that file',
      );
    }
    // Jitter, so writers that collided do not collide again in step.
    await sleep(delay + Math.random() * delay);
  }
  try {
    return await fn();
  } finally {
    await rm(path, { force: true });
  }
}
