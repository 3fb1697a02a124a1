// The state-directory lock: one process at a time owns a store (a kernel flock on its lock file).

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { constants } from 'node:fs';
import { open, readFile, rm, stat, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DvolError, asDvolError } from './errors.js';

/** The lock file's name inside the store root. */
export const LOCK_FILE = 'lock';

/** Roots this process holds or is taking: a second open here is refused without looking at the file. */
const held = new Set<string>();

/** flock(1)'s exit code when someone else holds the lock (chosen apart from its error codes). */
const CONFLICT = 75;

/**
 * Takes the lock of the store at `root`; resolves to a function that releases it.
 *
 * Why flock: the kernel decides who holds it and drops it the moment its owner's last descriptor
 * closes (an exit, a SIGKILL, even before a zombie is reaped), so there is no stale lock to take over
 * and no takeover race. The old scheme (a file made with O_EXCL, removed when its owner looked dead)
 * let two starters that both saw a stale file remove each other's new one, and took a zombie for a
 * live owner. Node has no flock(), so flock(1) takes it on a descriptor it inherits from us: the lock
 * belongs to the shared open file description and stays ours after flock(1) exits.
 *
 * The file also names the owner ("PID STARTTIME"), for the message, and so that a live owner that
 * predates the flock (an older dvol) is still respected. Release removes the file before closing it;
 * a starter that locked a file already removed sees another inode at the path and tries again.
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
  held.add(key);
  try {
    const path = join(root, LOCK_FILE);
    const handle = await takeLock(root, path);
    return async () => {
      held.delete(key);
      await rm(path, { force: true });
      await handle.close();
    };
  } catch (err) {
    held.delete(key);
    throw err;
  }
}

async function takeLock(root: string, path: string): Promise<FileHandle> {
  const me = await identity(process.pid);
  for (let attempt = 0; attempt < 5; attempt++) {
    const handle = await open(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600).catch(
      (err: unknown) => {
        throw asDvolError(err, `locking ${root}`);
      },
    );
    try {
      const owner = (await handle.readFile('utf8')).trim();
      if (!(await flockNow(handle, root))) throw inUse(root, owner);
      if (!(await isStillAt(handle, path))) {
        await handle.close();
        continue;
      }
      if (owner !== '' && owner !== me && (await identity(Number.parseInt(owner, 10))) === owner) {
        throw inUse(root, owner); // a live owner that does not flock: an older dvol
      }
      await handle.truncate(0);
      await handle.write(`${me}\n`, 0);
      await handle.sync();
      return handle;
    } catch (err) {
      await handle.close();
      throw err;
    }
  }
  throw new DvolError('locked', `could not lock the state directory ${root}`, 'another process races for it');
}

/** Takes an exclusive flock on `handle` without waiting; false when another descriptor holds one. */
async function flockNow(handle: FileHandle, root: string): Promise<boolean> {
  const child = spawn('flock', ['--nonblock', '--exclusive', '--conflict-exit-code', `${CONFLICT}`, '3'], {
    stdio: ['ignore', 'ignore', 'pipe', handle.fd],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await Promise.race([
    once(child, 'exit'),
    once(child, 'error').then(([e]) => Promise.reject(e)),
  ])) as [number | null];
  if (code === 0) return true;
  if (code === CONFLICT) return false;
  throw new DvolError('internal', `locking ${root} failed: flock: ${stderr.trim() || `exit ${code}`}`);
}

/** Whether the locked file is still the one at `path` (its owner may have removed it on release). */
async function isStillAt(handle: FileHandle, path: string): Promise<boolean> {
  const [ours, now] = await Promise.all([handle.stat(), stat(path).catch(() => undefined)]);
  return now !== undefined && now.ino === ours.ino && now.dev === ours.dev;
}

function inUse(root: string, owner: string): DvolError {
  const pid = Number.parseInt(owner, 10);
  return new DvolError(
    'locked',
    `the state directory ${root} is in use by ${Number.isInteger(pid) ? `process ${pid}` : 'another process'}`,
    'stop that dvol process first, or use another state directory',
  );
}

/**
 * "PID STARTTIME" of a running process (start time in clock ticks since boot), or '' when there is
 * none: no such pid, or a zombie or dying one (state Z or X), which holds nothing any more. The start
 * time tells a restarted container's plugin, which often gets the same pid, from the one before.
 */
async function identity(pid: number): Promise<string> {
  if (!Number.isInteger(pid) || pid <= 0) return '';
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command name (which may hold spaces and parentheses): state is field 3,
  // starttime field 22.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [state, start] = [fields[0], fields[19]];
  if (stat === '' || start === undefined || state === 'Z' || state === 'X') return '';
  return `${pid} ${start}`;
}
