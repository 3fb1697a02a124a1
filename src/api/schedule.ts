// The answers of the schedule routes (their keys are in routes.ts, their body in bodies.ts). Types
// only: the server implements them, the CLI imports them type-only.

import type { ScheduledSnapshot } from '../storage/model.js';
import type { RunOutcome, ScheduleText } from '../storage/schedule/book.js';

export type { RunOutcome, ScheduledSnapshot };

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
