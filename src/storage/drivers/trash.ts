// Background deletion shared by the drivers: data renamed into a trash directory is gone at once, and
// is deleted after the operation has answered, in order; what a crash cuts off is deleted at cleanup.

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

import { exists, fsyncDir, listDir } from './fsutil.js';

/**
 * One driver instance's trash directory. Entries have random names and nothing else lists the
 * directory, so a queued deletion is never mistaken for live data, before or after a crash.
 */
export class Trash {
  /** Deletions still queued or running, in order; each one's failure is left for empty(). */
  #queue: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    /** Deletes one entry for good (a directory tree, a btrfs subvolume). */
    private readonly erase: (entry: string) => Promise<void>,
  ) {}

  /**
   * Renames `target` into the trash (atomic: from then on it is gone), makes the rename durable with
   * `flush` (default: fsync of `target`'s directory), then queues its deletion. Absent is fine.
   * Deleting takes time that grows with the data (ext4 frees a GiB in half a second; btrfs drops a
   * subvolume's cached pages in the delete call itself), which no caller needs to wait for.
   */
  async discard(target: string, flush = () => fsyncDir(path.dirname(target))): Promise<void> {
    if (!(await exists(target))) return;
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const entry = path.join(this.dir, randomBytes(8).toString('hex'));
    await fs.rename(target, entry);
    await flush();
    // On a later turn of the event loop: never before the caller has resumed (and a crash test can
    // kill the process right after the call resolved, with the deletion still to do).
    this.#queue = this.#queue
      .then(() => new Promise((resolve) => setImmediate(resolve)))
      .then(() => this.erase(entry))
      .catch(() => undefined);
  }

  /** Resolves once every deletion queued so far has finished (or failed, leaving its entry). */
  idle(): Promise<void> {
    return this.#queue;
  }

  /** Waits for the queue, then deletes what is still in the trash: failed or crash-interrupted deletions. */
  async empty(): Promise<void> {
    await this.idle();
    for (const name of await listDir(this.dir)) await this.erase(path.join(this.dir, name));
  }
}
