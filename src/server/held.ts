// The containers an operation has paused or stopped, recorded in the state directory before it pauses
// or stops them, so that a plugin killed before it restored them can be made good by the next one.

import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir, isAtomicTemp, readJson, writeJsonAtomic } from '../storage/atomic.js';
import type { ContainerRef } from './containers.js';

/** `held/<volume>.json`: one operation's paused or stopped containers (one at a time per volume). */
export interface HeldRecord {
  volume: string;
  /** `pause` for commit; `stop` for reset and checkout. */
  action: 'pause' | 'stop';
  /** The operation, as its messages name it (`resetting`, `committing`, …). */
  doing: string;
  /** When the record was written (ISO 8601). */
  since: string;
  containers: { id: string; name: string }[];
}

/**
 * The records of one state directory. Volume names (Docker's alphabet, never starting with a dot and
 * never holding `/` or `..`) are the file names; the guard's per-volume lock makes one operation at a
 * time per volume write its file. Writes are atomic and durable: after a crash a file is whole or absent.
 */
export class HeldContainers {
  private constructor(readonly dir: string) {}

  /** `<stateDir>/held`, made when missing: it exists before a full disk could refuse it. */
  static async open(stateDir: string): Promise<HeldContainers> {
    const dir = join(stateDir, 'held');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return new HeldContainers(dir);
  }

  /** Records, durably, that `refs` are about to be paused or stopped for `doing`. */
  async record(volume: string, action: HeldRecord['action'], doing: string, refs: ContainerRef[]) {
    const record: HeldRecord = {
      volume,
      action,
      doing,
      since: new Date().toISOString(),
      containers: refs.map(({ id, name }) => ({ id, name })),
    };
    await writeJsonAtomic(this.path(volume), record);
  }

  /** Forgets the volume's record once its containers are restored (absent: nothing to do). */
  async clear(volume: string): Promise<void> {
    await rm(this.path(volume), { force: true });
    await fsyncDir(this.dir);
  }

  /** Every record left, by a process that died before restoring its containers. Unreadable ones are skipped. */
  async leftovers(): Promise<HeldRecord[]> {
    const records: HeldRecord[] = [];
    for (const file of (await readdir(this.dir)).sort()) {
      if (isAtomicTemp(file)) {
        await rm(join(this.dir, file), { force: true });
        continue;
      }
      const record = await readJson<unknown>(join(this.dir, file)).catch(() => undefined);
      if (isRecord(record) && file === `${record.volume}.json`) records.push(record);
      else console.error(`dvol: ignoring ${join(this.dir, file)}: not a record of held containers`);
    }
    return records;
  }

  private path(volume: string): string {
    return join(this.dir, `${volume}.json`);
  }
}

function isRecord(value: unknown): value is HeldRecord {
  const r = value as Partial<HeldRecord> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.volume === 'string' &&
    (r.action === 'pause' || r.action === 'stop') &&
    typeof r.doing === 'string' &&
    Array.isArray(r.containers) &&
    r.containers.every((c) => typeof c?.id === 'string' && typeof c.name === 'string')
  );
}
