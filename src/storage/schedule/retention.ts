// Which scheduled snapshots to keep: the newest N, plus, for each rule WINDOW:EVERY, the newest
// snapshot of every EVERY-long period within WINDOW of now (borg's and buttervolume's prune).
// Periods are aligned to the Unix epoch, so the same snapshot stays chosen from one run to the next.
// Only scheduled snapshots are ever candidates; anything the caller protects is kept.

import { DvolError } from '../errors.js';
import { formatDuration, parseDuration } from './duration.js';

export interface RetentionRule {
  /** How far back the rule reaches. */
  windowMs: number;
  /** One snapshot is kept per period of this length. */
  everyMs: number;
}

export interface RetentionPolicy {
  rules: RetentionRule[];
  /** The newest this many are kept whatever their age (0: none by this rule). */
  keepLast: number;
}

export interface RetainedSnapshot {
  id: string;
  /** When the snapshot was taken (ms since the epoch). */
  takenAt: number;
  /** Tagged, branched from, or otherwise in use: never deleted. */
  protected: boolean;
}

const MAX_RULES = 16;

/** Parses `24h:1h,7d:1d,4w:1w`; an empty string is no rule. */
export function parseRules(text: string): RetentionRule[] {
  if (text === '') return [];
  const parts = text.split(',');
  if (parts.length > MAX_RULES)
    throw new DvolError('invalid', `at most ${MAX_RULES} retention rules can be given`);
  return parts.map((part) => {
    const [window, every, ...extra] = part.split(':');
    if (window === undefined || every === undefined || extra.length > 0) {
      throw new DvolError(
        'invalid',
        `'${part.slice(0, 40)}' is not a retention rule`,
        'write WINDOW:EVERY pairs like 24h:1h,7d:1d,4w:1w (within 24h keep one per hour, ...)',
      );
    }
    const rule = {
      windowMs: parseDuration(window, 'retention window'),
      everyMs: parseDuration(every, 'retention period'),
    };
    if (rule.everyMs > rule.windowMs) {
      throw new DvolError(
        'invalid',
        `in '${part}', the period is longer than the window`,
        'write it as WINDOW:EVERY, e.g. 7d:1d',
      );
    }
    return rule;
  });
}

/** The rules as the user would write them. */
export function formatRules(rules: RetentionRule[]): string {
  return rules.map((r) => `${formatDuration(r.windowMs)}:${formatDuration(r.everyMs)}`).join(',');
}

/** True when the policy deletes anything at all (no rule and no keep-last keeps every snapshot). */
export function prunes(policy: RetentionPolicy): boolean {
  return policy.rules.length > 0 || policy.keepLast > 0;
}

/**
 * The ids to delete, oldest first. A snapshot dated after `now` (the clock went back) counts as
 * taken now: a clock jump never deletes anything that a correct clock would keep.
 */
export function toDelete(snapshots: RetainedSnapshot[], policy: RetentionPolicy, now: number): string[] {
  if (!prunes(policy)) return [];
  const newestFirst = [...snapshots].sort((a, b) => b.takenAt - a.takenAt || (a.id < b.id ? -1 : 1));
  const keep = new Set<string>();
  for (const s of newestFirst.slice(0, policy.keepLast)) keep.add(s.id);
  for (const rule of policy.rules) {
    const periods = new Set<number>();
    for (const s of newestFirst) {
      const takenAt = Math.min(s.takenAt, now);
      if (now - takenAt > rule.windowMs) continue;
      const period = Math.floor(takenAt / rule.everyMs);
      if (periods.has(period)) continue;
      periods.add(period);
      keep.add(s.id);
    }
  }
  return newestFirst
    .filter((s) => !s.protected && !keep.has(s.id))
    .reverse()
    .map((s) => s.id);
}
