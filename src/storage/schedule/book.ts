// The schedules of a store, persisted in ROOT/schedules.json (versioned, every change one atomic
// write), so they survive plugin restarts, upgrades and dockerd restarts.

import { join } from 'node:path';
import { readJson, writeJsonAtomic } from '../atomic.js';
import { DvolError } from '../errors.js';
import { formatDuration, parseDuration } from './duration.js';
import { formatRules, parseRules, type RetentionRule } from './retention.js';

/** One volume's schedule. */
export interface Schedule {
  volume: string;
  everyMs: number;
  rules: RetentionRule[];
  keepLast: number;
  paused: boolean;
  /** RFC 3339. */
  createdAt: string;
  /** The last run (ms since the epoch), snapshot taken or skipped; absent before the first. */
  lastRunAt?: number;
  /** What the last run did, for `schedule list`. */
  last?: RunOutcome;
}

export interface RunOutcome {
  /** 'taken': a snapshot was made; 'skipped': nothing changed; 'failed': see error. */
  result: 'taken' | 'skipped' | 'failed';
  commit?: string;
  /** Commits retention deleted after the run. */
  pruned?: number;
  error?: string;
  /** How long the run took, pauses and retention included. */
  durationMs?: number;
}

/** The file's format marker; a reader refuses any other version. */
const FORMAT = 'dvol-schedules';
const VERSION = 1;

/** A schedule as written in the file and shown: durations in the user's notation, dates in RFC 3339. */
export interface ScheduleText {
  every: string;
  keep: string;
  keepLast: number;
  paused: boolean;
  createdAt: string;
  lastRunAt?: string;
  last?: RunOutcome;
}

interface StoredFile {
  format: string;
  version: number;
  schedules: Record<string, ScheduleText>;
}

/** The schedule in the user's notation. */
export function scheduleText(s: Schedule): ScheduleText {
  return {
    every: formatDuration(s.everyMs),
    keep: formatRules(s.rules),
    keepLast: s.keepLast,
    paused: s.paused,
    createdAt: s.createdAt,
    ...(s.lastRunAt === undefined ? {} : { lastRunAt: new Date(s.lastRunAt).toISOString() }),
    ...(s.last === undefined ? {} : { last: s.last }),
  };
}

/** The schedules of one store, by volume name; every change is written before it resolves. */
export class ScheduleBook {
  readonly #path: string;
  readonly #schedules: Map<string, Schedule>;
  #writes: Promise<void> = Promise.resolve();

  private constructor(path: string, schedules: Map<string, Schedule>) {
    this.#path = path;
    this.#schedules = schedules;
  }

  /** Reads ROOT/schedules.json (absent: no schedules); 'corrupt' for another format or version. */
  static async open(root: string): Promise<ScheduleBook> {
    const path = join(root, 'schedules.json');
    const raw = await readJson<StoredFile>(path);
    const schedules = new Map<string, Schedule>();
    if (raw === undefined) return new ScheduleBook(path, schedules);
    if (raw?.format !== FORMAT || typeof raw.schedules !== 'object' || raw.schedules === null) {
      throw new DvolError(
        'corrupt',
        `${path} is not a dvol schedules file`,
        'move it away and add the schedules again',
      );
    }
    if (raw.version !== VERSION) {
      throw new DvolError(
        'corrupt',
        `${path} has format version ${String(raw.version)}, and this dvol reads version ${VERSION}`,
        raw.version > VERSION ? 'upgrade dvol' : 'move it away and add the schedules again',
      );
    }
    for (const [volume, s] of Object.entries(raw.schedules)) {
      try {
        schedules.set(volume, {
          volume,
          everyMs: parseDuration(s.every, 'schedule interval'),
          rules: parseRules(s.keep),
          keepLast: Number.isInteger(s.keepLast) && s.keepLast >= 0 ? s.keepLast : 0,
          paused: s.paused === true,
          createdAt: s.createdAt,
          ...(s.lastRunAt === undefined ? {} : { lastRunAt: Date.parse(s.lastRunAt) }),
          ...(s.last === undefined ? {} : { last: s.last }),
        });
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        throw new DvolError('corrupt', `${path}: the schedule of volume '${volume}' is unreadable: ${why}`);
      }
    }
    return new ScheduleBook(path, schedules);
  }

  list(): Schedule[] {
    return [...this.#schedules.values()].sort((a, b) => a.volume.localeCompare(b.volume));
  }

  get(volume: string): Schedule | undefined {
    return this.#schedules.get(volume);
  }

  /** Adds or replaces a volume's schedule. */
  put(schedule: Schedule): Promise<void> {
    this.#schedules.set(schedule.volume, schedule);
    return this.#save();
  }

  /** Removes a volume's schedule; false when it had none. */
  async remove(volume: string): Promise<boolean> {
    if (!this.#schedules.delete(volume)) return false;
    await this.#save();
    return true;
  }

  /** Writes the whole file, after any write in progress, from the map as it is then. */
  #save(): Promise<void> {
    const write = this.#writes.then(() => writeJsonAtomic(this.#path, this.#serialize()));
    this.#writes = write.catch(() => undefined);
    return write;
  }

  #serialize(): StoredFile {
    const schedules: Record<string, ScheduleText> = Object.create(null) as Record<string, ScheduleText>;
    for (const s of this.list()) {
      Object.defineProperty(schedules, s.volume, {
        enumerable: true,
        value: scheduleText(s),
      });
    }
    return { format: FORMAT, version: VERSION, schedules };
  }
}
