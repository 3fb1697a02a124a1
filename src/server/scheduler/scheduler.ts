// Runs each volume's schedule on time: one timer per schedule, a run missed while the plugin was down
// made once at start, never two runs of one volume at once, every outcome persisted.

import { DvolError } from '../../storage/errors.js';
import type { RunOutcome, Schedule, ScheduleBook } from '../../storage/schedule/book.js';
import type { RetentionRule } from '../../storage/schedule/retention.js';
import { nextRunAt } from '../../storage/schedule/timing.js';

/** Time and timers, injected so tests control them. */
export interface Clock {
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * The longest a timer waits before the due time is looked at again: timers count monotonic time,
 * schedules wall-clock time, so a clock set forward (or a host waking up) is noticed within a minute.
 */
export const RECHECK_MS = 60_000;

/** One run of a schedule. */
export type RunSchedule = (schedule: Schedule, now: number) => Promise<RunOutcome>;

/** Whether a volume still exists: a failed run of a removed volume's schedule removes the schedule. */
export type VolumeExists = (volume: string) => Promise<boolean>;

export interface ScheduleSettings {
  everyMs: number;
  rules: RetentionRule[];
  keepLast: number;
}

export class Scheduler {
  readonly #timers = new Map<string, unknown>();
  readonly #running = new Map<string, Promise<void>>();
  #stopped = false;

  constructor(
    private readonly book: ScheduleBook,
    private readonly run: RunSchedule,
    private readonly exists: VolumeExists,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Arms every schedule that is not paused; overdue ones run at once, once. */
  start(): void {
    for (const s of this.book.list()) this.#arm(s.volume);
  }

  /** Disarms every timer and waits for runs in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const handle of this.#timers.values()) this.clock.clearTimer(handle);
    this.#timers.clear();
    await Promise.all(this.#running.values());
  }

  list(): Schedule[] {
    return this.book.list();
  }

  get(volume: string): Schedule {
    const s = this.book.get(volume);
    if (!s) {
      throw new DvolError(
        'not_found',
        `volume '${volume}' has no schedule`,
        `add one with 'dvol schedule add ${volume} --every 10m'`,
      );
    }
    return s;
  }

  /** When the schedule runs next; undefined while paused. */
  nextRunAt(s: Schedule): number | undefined {
    return s.paused ? undefined : nextRunAt(s, this.clock.now());
  }

  /** Adds or replaces a volume's schedule; a new one runs at once, a replaced one keeps its last run. */
  async add(volume: string, settings: ScheduleSettings): Promise<Schedule> {
    const old = this.book.get(volume);
    const schedule: Schedule = {
      ...(old ?? { createdAt: new Date(this.clock.now()).toISOString() }),
      volume,
      ...settings,
      paused: false,
    };
    await this.book.put(schedule);
    this.#arm(volume);
    return schedule;
  }

  async setPaused(volume: string, paused: boolean): Promise<Schedule> {
    const schedule = { ...this.get(volume), paused };
    await this.book.put(schedule);
    this.#arm(volume);
    return schedule;
  }

  async remove(volume: string): Promise<void> {
    this.get(volume);
    await this.book.remove(volume);
    this.#disarm(volume);
  }

  /** Resolves once the run in progress for `volume`, if any, is over (for tests). */
  async settled(volume: string): Promise<void> {
    await this.#running.get(volume);
  }

  #disarm(volume: string): void {
    const handle = this.#timers.get(volume);
    if (handle !== undefined) this.clock.clearTimer(handle);
    this.#timers.delete(volume);
  }

  /** (Re)sets the volume's timer from its schedule as persisted; none while paused or running. */
  #arm(volume: string): void {
    this.#disarm(volume);
    let s = this.book.get(volume);
    if (this.#stopped || !s || s.paused || this.#running.has(volume)) return;
    const now = this.clock.now();
    if (s.lastRunAt !== undefined && s.lastRunAt > now) {
      // The clock went back past the last run: count the interval from now, once, and remember it
      // (recomputed at every check, "from now" would never come).
      s = { ...s, lastRunAt: now };
      this.book.put(s).catch((err: unknown) => console.error(`dvol: cannot record a clock jump:`, err));
    }
    const delay = nextRunAt(s, now) - now;
    const fire = delay <= RECHECK_MS;
    const handle = this.clock.setTimer(
      () => {
        this.#timers.delete(volume);
        if (fire) this.#start(volume);
        else this.#arm(volume);
      },
      Math.min(Math.max(delay, 0), RECHECK_MS),
    );
    this.#timers.set(volume, handle);
  }

  #start(volume: string): void {
    const running = this.#runOnce(volume).finally(() => {
      this.#running.delete(volume);
      this.#arm(volume);
    });
    this.#running.set(volume, running);
  }

  async #runOnce(volume: string): Promise<void> {
    const s = this.book.get(volume);
    if (this.#stopped || !s || s.paused) return;
    const now = this.clock.now();
    let last: RunOutcome;
    const started = performance.now();
    try {
      last = { ...(await this.run(s, now)), durationMs: Math.round(performance.now() - started) };
    } catch (err) {
      if (!(await this.exists(volume).catch(() => true))) {
        console.error(`dvol: volume '${volume}' is gone: its schedule is removed`);
        await this.book.remove(volume).catch(() => undefined);
        return;
      }
      const why = err instanceof Error ? err.message : String(err);
      console.error(`dvol: scheduled snapshot of volume '${volume}' failed: ${why}`);
      last = { result: 'failed', error: why };
    }
    // Written from the book's current entry: a pause or change made during the run is kept.
    const current = this.book.get(volume);
    if (current) {
      await this.book.put({ ...current, lastRunAt: now, last }).catch((err: unknown) => {
        console.error(`dvol: cannot record the run of volume '${volume}''s schedule:`, err);
      });
    }
  }
}
