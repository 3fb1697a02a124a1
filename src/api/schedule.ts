// The /dvol API of schedules and scheduled snapshots: paths, request and answer types. Types and
// constants only (no runtime dependencies): the server implements it, the CLI imports it type-only.

import type { ScheduledSnapshot } from '../storage/model.js';
import type { RunOutcome, ScheduleText } from '../storage/schedule/book.js';

export type { RunOutcome, ScheduledSnapshot };

/** Paths below /dvol. */
export const SCHEDULE_PATHS = {
  /** GET: every schedule. */
  list: '/schedules',
  /** POST (add or replace, ScheduleRequest), DELETE (remove); under /volumes/:vol. */
  one: 'schedule',
  /** POST: pause or resume; under /volumes/:vol/schedule. */
  pause: 'pause',
  resume: 'resume',
  /** GET ?branch=NAME: scheduled snapshots, newest first; under /volumes/:vol. */
  snapshots: 'snapshots',
} as const;

/** POST /dvol/volumes/:vol/schedule. */
export interface ScheduleRequest {
  /** A duration like 30s, 10m, 1h, 1d. */
  every: string;
  /** Retention rules like 24h:1h,7d:1d; '' or absent: none. */
  keep?: string;
  /** Keep the newest N whatever the rules say; 0 or absent: none. */
  keepLast?: number;
}

/** One schedule as the API shows it: as written in schedules.json, plus its volume and next run. */
export interface ScheduleInfo extends ScheduleText {
  volume: string;
  /** RFC 3339; absent while paused. */
  nextRunAt?: string;
}

export interface ScheduleAnswer {
  schedule: ScheduleInfo;
}

export interface SchedulesAnswer {
  schedules: ScheduleInfo[];
}

export interface SnapshotsAnswer {
  snapshots: ScheduledSnapshot[];
}
