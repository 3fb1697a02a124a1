// The persisted mount table: per volume, how many times each holder (a Docker mount ID) mounted it.

import { writeJsonAtomic, readJson } from './atomic.js';
import { DvolError } from './errors.js';
import type { MountTable } from './model.js';

/**
 * Volume → holder → count. Names and IDs come from Docker and from containers' users: they are Map
 * keys, never object keys, so `constructor`, `__proto__` or `toString` are names like any other.
 */
type Counts = Map<string, Map<string, number>>;

/** mounts.json: `{"mounts": {VOLUME: {HOLDER: COUNT}}}`. */
interface MountsFile {
  mounts: Record<string, Record<string, number>>;
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
    return new PersistedMountTable(path, file === undefined ? new Map() : parse(path, file));
  }

  acquire(volume: string, holder: string): Promise<number> {
    let holders = this.counts.get(volume);
    if (holders === undefined) this.counts.set(volume, (holders = new Map()));
    holders.set(holder, (holders.get(holder) ?? 0) + 1);
    return this.persist(volume);
  }

  release(volume: string, holder: string): Promise<number> {
    const holders = this.counts.get(volume);
    const n = holders?.get(holder);
    if (holders === undefined || n === undefined) return Promise.resolve(this.count(volume));
    if (n > 1) holders.set(holder, n - 1);
    else holders.delete(holder);
    if (holders.size === 0) this.counts.delete(volume);
    return this.persist(volume);
  }

  count(volume: string): number {
    let sum = 0;
    for (const n of this.counts.get(volume)?.values() ?? []) sum += n;
    return sum;
  }

  /** A copy; its keys are own properties (Object.fromEntries), so `__proto__` is a holder too. */
  holders(volume: string): Record<string, number> {
    return Object.fromEntries(this.counts.get(volume) ?? []);
  }

  /** The volumes that have at least one mount. */
  volumes(): string[] {
    return [...this.counts.keys()].filter((v) => this.count(v) > 0);
  }

  /**
   * Writes the whole table; writes are chained so the file always ends with the latest state. The
   * count is taken before the write so the caller sees the effect of its own change.
   */
  private async persist(volume: string): Promise<number> {
    const total = this.count(volume);
    const snapshot: MountsFile = { mounts: toRecord(this.counts) };
    const write = this.writes.then(() => writeJsonAtomic(this.path, snapshot));
    this.writes = write.catch(() => undefined);
    await write;
    return total;
  }
}

/** The table as JSON: Object.fromEntries defines own properties, so no key reaches a prototype. */
function toRecord(counts: Counts): MountsFile['mounts'] {
  return Object.fromEntries([...counts].map(([volume, holders]) => [volume, Object.fromEntries(holders)]));
}

/** The file's table as Maps, refusing anything but positive integer counts. */
function parse(path: string, file: unknown): Counts {
  const mounts = isObject(file) && Object.hasOwn(file, 'mounts') ? file.mounts : undefined;
  if (!isObject(mounts)) throw damaged(path, 'has no "mounts" object');
  const counts: Counts = new Map();
  // JSON.parse makes every key an own property, `__proto__` included: Object.entries sees them all.
  for (const [volume, holders] of Object.entries(mounts)) {
    if (!isObject(holders)) throw damaged(path, `has no holders object for volume '${volume}'`);
    const map = new Map<string, number>();
    for (const [holder, n] of Object.entries(holders)) {
      if (!Number.isSafeInteger(n) || (n as number) < 1) {
        throw damaged(path, `has a count that is not a positive integer for volume '${volume}'`);
      }
      map.set(holder, n as number);
    }
    if (map.size > 0) counts.set(volume, map);
  }
  return counts;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function damaged(path: string, what: string): DvolError {
  return new DvolError('corrupt', `${path} ${what}`, 'remove it if no container is running');
}
