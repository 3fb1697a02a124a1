// When a schedule runs next. A run missed while the plugin was stopped (or the host asleep) is made
// once at start, not once per missed interval; a clock that went back does not postpone runs by the
// size of the jump.

export interface ScheduleClock {
  /** Interval between runs. */
  everyMs: number;
  /** When the last run happened (ms since the epoch), if ever. */
  lastRunAt?: number;
}

/** The time of the next run, as of `now`: `now` itself when a run is due. */
export function nextRunAt(schedule: ScheduleClock, now: number): number {
  const { everyMs, lastRunAt } = schedule;
  if (lastRunAt === undefined) return now;
  // The clock went back past the last run: count from now instead of waiting out the jump.
  if (lastRunAt > now) return now + everyMs;
  return Math.max(now, lastRunAt + everyMs);
}

/** How long to wait from `now` until the next run (0: run now). */
export function delayUntilNextRun(schedule: ScheduleClock, now: number): number {
  return nextRunAt(schedule, now) - now;
}
