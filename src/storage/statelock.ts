// The state-directory lock: one process at a time owns a store (a file made with O_EXCL holding its pid).

import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DvolError, asDvolError } from './errors.js';

/** The lock file's name inside the store root. */
export const LOCK_FILE = 'lock';

/** Takes the lock of the store at `root`; resolves to a function that releases it. */
export async function lockStateDir(root: string): Promise<() => Promise<void>> {
  const path = join(root, LOCK_FILE);
  // Two attempts: the second follows the removal of a stale lock left by a dead process.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(`${process.pid}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return () => rm(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw asDvolError(err, `locking ${root}`);
    }
    const owner = await lockOwner(path);
    if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
      throw new DvolError(
        'locked',
        `the state directory ${root} is in use by process ${owner}`,
        'stop that dvol process first, or use another state directory',
      );
    }
    if (owner === process.pid) {
      throw new DvolError(
        'locked',
        `the state directory ${root} is already open in this process`,
        'close the other store first',
      );
    }
    // The owner died without releasing (crash, SIGKILL): the lock is stale.
    await rm(path, { force: true });
  }
  throw new DvolError('locked', `could not lock the state directory ${root}`, 'another process races for it');
}

async function lockOwner(path: string): Promise<number | undefined> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const pid = Number.parseInt(text, 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
