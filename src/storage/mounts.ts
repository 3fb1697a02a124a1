// The persisted mount table: per volume, how many times each holder (a Docker mount ID) mounted it.

import { writeJsonAtomic, readJson } from './atomic.js';
import { DvolError } from './errors.js';
import type { MountTable } from './model.js';

type Counts = Record<string, Record<string, number>>;

interface MountsFile {
  mounts: Counts;
}

/**
 * MountTable kept in memory and persisted to one JSON file after every change. It has its own write
 * queue and never takes a volume's lock, so an unmount is never blocked by a running operation.
 */
export class PersistedMountTable implements MountTable {
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private readonly counts: Counts,
  ) {}

  /** Loads the table from `path` (absent: empty). */
  static async load(path: string): Promise<PersistedMountTable> {
    const file = await readJson<MountsFile>(path);
    if (file !== undefined && (typeof file.mounts !== 'object' || file.mounts === null)) {
      throw new DvolError(
        'corrupt',
        `${path} has no "mounts" object`,
        'remove it if no container is running',
      );
    }
    return new PersistedMountTable(path, file?.mounts ?? {});
  }

  acquire(volume: string, holder: string): Promise<number> {
    const holders = (this.counts[volume] ??= {});
    holders[holder] = (holders[holder] ?? 0) + 1;
    return this.persist(volume);
  }

  release(volume: string, holder: string): Promise<number> {
    const holders = this.counts[volume];
    const n = holders?.[holder];
    if (holders === undefined || n === undefined) return Promise.resolve(this.count(volume));
    if (n > 1) holders[holder] = n - 1;
    else delete holders[holder];
    if (Object.keys(holders).length === 0) delete this.counts[volume];
    return this.persist(volume);
  }

  count(volume: string): number {
    return Object.values(this.counts[volume] ?? {}).reduce((sum, n) => sum + n, 0);
  }

  holders(volume: string): Record<string, number> {
    return { ...this.counts[volume] };
  }

  /** The volumes that have at least one mount. */
  volumes(): string[] {
    return Object.keys(this.counts).filter((v) => this.count(v) > 0);
  }

  /**
   * Writes the whole table; writes are chained so the file always ends with the latest state. The
   * count is taken before the write so the caller sees the effect of its own change.
   */
  private async persist(volume: string): Promise<number> {
    const total = this.count(volume);
    const snapshot = JSON.parse(JSON.stringify(this.counts)) as Counts;
    const write = this.writes.then(() => writeJsonAtomic(this.path, { mounts: snapshot }));
    this.writes = write.catch(() => undefined);
    await write;
    return total;
  }
}
