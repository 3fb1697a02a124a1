// The state-directory lock: one process at a time owns a store (a file made with O_EXCL naming it).

import { open, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DvolError, asDvolError } from './errors.js';

/** The lock file's name inside the store root. */
export const LOCK_FILE = 'lock';

/** Roots this process holds: a second open here is refused without looking at the file. */
const held = new Set<string>();

/**
 * Takes the lock of the store at `root`; resolves to a function that releases it. The file holds the
 * owner's pid and that process's start time: in a container the plugin often gets the same pid after
 * every restart, so a pid alone would make a lock left by a crash look like our own or like a live one.
 */
export async function lockStateDir(root: string): Promise<() => Promise<void>> {
  const key = resolve(root);
  if (held.has(key)) {
    throw new DvolError(
      'locked',
      `the state directory ${root} is already open in this process`,
      'close it first',
    );
  }
  const path = join(root, LOCK_FILE);
  const me = await identity(process.pid);
  // Two attempts: the second follows the removal of a stale lock left by a dead process.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(`${me}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      held.add(key);
      return async () => {
        held.delete(key);
        await rm(path, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw asDvolError(err, `locking ${root}`);
    }
    const owner = (await readFile(path, 'utf8').catch(() => '')).trim();
    const pid = Number.parseInt(owner, 10);
    if (owner !== '' && owner !== me && (await identity(pid)) === owner) {
      throw new DvolError(
        'locked',
        `the state directory ${root} is in use by process ${pid}`,
        'stop that dvol process first, or use another state directory',
      );
    }
    // The owner is gone (crash, SIGKILL, a restarted container reusing the pid): the lock is stale.
    await rm(path, { force: true });
  }
  throw new DvolError('locked', `could not lock the state directory ${root}`, 'another process races for it');
}

/** "PID STARTTIME" of a live process (start time in clock ticks since boot), or '' when none. */
async function identity(pid: number): Promise<string> {
  if (!Number.isInteger(pid) || pid <= 0) return '';
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command name (which may hold spaces and parentheses): state is field 3,
  // starttime field 22.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = fields[19];
  return start === undefined || stat === '' ? '' : `${pid} ${start}`;
}
