// The persisted mount table: per volume, how many times each holder (a Docker mount ID) mounted it.

import { existsSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
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
 * Space kept for the mount table: a database that fills the state filesystem must not make Mount and
 * Unmount fail. A file of this size beside mounts.json is given up when a write of the table finds
 * the disk full, and taken again after a write that succeeds.
 */
const RESERVE_BYTES = 1024 * 1024;
const RESERVE_NAME = 'mounts.reserve';

/**
 * MountTable kept in memory and persisted to one JSON file after every change. It has its own write
 * queue and never takes a volume's lock, so an unmount is never blocked by a running operation.
 * An acquire whose write fails is undone in memory too; a release is kept (the mount is gone) and the
 * next write records it.
 */
export class PersistedMountTable implements MountTable {
  private writes: Promise<void> = Promise.resolve();
  /** The write not started yet, which changes made now will share, and their undos. */
  private next: { promise: Promise<void>; undos: (() => void)[] } | undefined;
  private readonly reserve: string;

  private constructor(
    private readonly path: string,
    private readonly counts: Counts,
  ) {
    this.reserve = join(dirname(path), RESERVE_NAME);
  }

  /** Loads the table from `path` (absent: empty) and sets space aside for it. */
  static async load(path: string): Promise<PersistedMountTable> {
    const file = await readJson<MountsFile>(path);
    const table = new PersistedMountTable(path, file === undefined ? new Map() : parse(path, file));
    await table.keepReserve();
    return table;
  }

  acquire(volume: string, holder: string): Promise<number> {
    this.add(volume, holder, 1);
    return this.persist(volume, () => this.add(volume, holder, -1));
  }

  release(volume: string, holder: string): Promise<number> {
    if (this.counts.get(volume)?.get(holder) === undefined) return Promise.resolve(this.count(volume));
    this.add(volume, holder, -1);
    return this.persist(volume);
  }

  /** Changes one holder's count, dropping holders and volumes that reach 0. */
  private add(volume: string, holder: string, delta: number): void {
    let holders = this.counts.get(volume);
    if (holders === undefined) this.counts.set(volume, (holders = new Map()));
    const n = (holders.get(holder) ?? 0) + delta;
    if (n > 0) holders.set(holder, n);
    else holders.delete(holder);
    if (holders.size === 0) this.counts.delete(volume);
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
   * count is taken before the write so the caller sees the effect of its own change. Changes made
   * while a write runs share the next write (each write records the table as it is when it starts),
   * so a burst of Mounts and Unmounts waits for two writes at most, not one per change. A failed
   * write runs the `undo` of every change it carried before the next write starts, so that one never
   * records the undone changes.
   */
  private async persist(volume: string, undo?: () => void): Promise<number> {
    const total = this.count(volume);
    let batch = this.next;
    if (batch === undefined) {
      const undos: (() => void)[] = [];
      const promise = this.writes.then(async () => {
        this.next = undefined;
        try {
          await this.write();
        } catch (err) {
          for (const u of undos) u();
          throw err;
        }
      });
      batch = { promise, undos };
      this.next = batch;
      this.writes = promise.catch(() => undefined);
    }
    if (undo) batch.undos.push(undo);
    await batch.promise;
    return total;
  }

  /** Writes the table as it is now; on a full disk, gives up the reserve and tries once more. */
  private async write(): Promise<void> {
    const write = () => writeJsonAtomic(this.path, { mounts: toRecord(this.counts) });
    try {
      await write();
    } catch (err) {
      if ((err as DvolError).code !== 'no_space' || !existsSync(this.reserve)) throw err;
      console.error(`dvol: the disk holding ${this.path} is full: using the space reserved for it`);
      await rm(this.reserve, { force: true });
      await write();
      return;
    }
    await this.keepReserve();
  }

  /** Makes the reserve file when it is missing; a full disk just leaves it missing for now. */
  private async keepReserve(): Promise<void> {
    let handle;
    try {
      handle = await open(this.reserve, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
      throw err;
    }
    try {
      // Written, not just sized: a sparse file would reserve nothing.
      await handle.write(Buffer.alloc(RESERVE_BYTES));
      await handle.sync();
      await handle.close();
    } catch (err) {
      await handle.close().catch(() => undefined);
      await rm(this.reserve, { force: true });
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOSPC' && code !== 'EDQUOT') throw err;
    }
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
