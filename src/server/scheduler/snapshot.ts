// One scheduled run: skipped when nothing changed, else the snapshot operation (the commit's container
// policy, in operations.ts), then retention.

import type { Schedule, RunOutcome } from '../../storage/schedule/book.js';
import { formatDuration } from '../../storage/schedule/duration.js';
import { formatRules } from '../../storage/schedule/retention.js';
import type { Deps } from '../deps.js';
import { snapshot } from '../operations.js';

/** Who scheduled snapshots are by, in `dvol log --scheduled`. */
export const SCHEDULER_AUTHOR = 'dvol scheduler <scheduler@dvol>';

/** The rule a snapshot was taken by, as the user wrote it: `every 10m, keep 1d:1h, last 3`. */
export function describeRule(s: Pick<Schedule, 'everyMs' | 'rules' | 'keepLast'>): string {
  const parts = [`every ${formatDuration(s.everyMs)}`];
  if (s.rules.length > 0) parts.push(`keep ${formatRules(s.rules)}`);
  if (s.keepLast > 0) parts.push(`keep last ${s.keepLast}`);
  return parts.join(', ');
}

/** Takes the snapshot `schedule` is due for at `now` (unless clean), then prunes. */
export async function snapshotVolume(
  deps: Pick<Deps, 'store' | 'guard'>,
  schedule: Schedule,
  now: number,
): Promise<RunOutcome> {
  const name = schedule.volume;
  const vol = deps.store.volume(name);
  // Checked before pausing anything: a clean volume costs its containers nothing.
  if (!(await vol.snapshotNeeded())) return { result: 'skipped' };
  const date = new Date(now);
  const message = `scheduled snapshot at ${date.toISOString()} (${describeRule(schedule)})`;
  const commit = await snapshot(deps, name, { message, author: SCHEDULER_AUTHOR, date });
  const pruned = await vol.pruneSnapshots({ rules: schedule.rules, keepLast: schedule.keepLast }, now);
  return { result: 'taken', commit: commit.id, pruned: pruned.length };
}
