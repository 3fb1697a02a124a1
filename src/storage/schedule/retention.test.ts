// Retention and schedule timing with a clock the tests control: every rule's boundaries, periods that
// stay stable from run to run, missed runs, clock jumps, and protected snapshots never deleted.
import t from 'tap';
import { formatDuration, parseDuration } from './duration.js';
import {
  formatRules,
  parseRules,
  toDelete,
  type RetainedSnapshot,
  type RetentionPolicy,
} from './retention.js';
import { delayUntilNextRun, nextRunAt } from './timing.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
/** A Monday at midnight UTC, so periods of hours, days and weeks start on it. */
const T0 = Date.UTC(2026, 10, 30);

const snap = (id: string, takenAt: number, prot = false): RetainedSnapshot => ({
  id,
  takenAt,
  protected: prot,
});

t.test('durations', async (t) => {
  t.equal(parseDuration('30s'), 30 * S);
  t.equal(parseDuration('10m'), 10 * M);
  t.equal(parseDuration('1h30m'), 90 * M);
  t.equal(parseDuration('2w'), 14 * D);
  t.equal(formatDuration(90 * M), '1h30m');
  t.equal(formatDuration(D + 1 * S), '1d1s');
  for (const bad of [
    '',
    '10',
    'm',
    '1x',
    '-1h',
    '1.5h',
    '0s',
    '1h ',
    ' 1h',
    'constructor',
    '9'.repeat(40) + 's',
  ]) {
    t.throws(() => parseDuration(bad), { code: 'invalid' }, `'${bad.slice(0, 12)}' is refused`);
  }
  t.throws(() => parseDuration('99999w'), { code: 'invalid', message: /ten years/ });
  t.throws(
    () => parseDuration('x'.repeat(10_000)),
    { message: /10000 characters/ },
    'long input is not echoed whole',
  );
});

t.test('rules: parsed, shown back, and refused with one sentence', async (t) => {
  const rules = parseRules('24h:1h,7d:1d,4w:1w');
  t.same(rules, [
    { windowMs: D, everyMs: H },
    { windowMs: 7 * D, everyMs: D },
    { windowMs: 28 * D, everyMs: 7 * D },
  ]);
  t.equal(formatRules(rules), '1d:1h,1w:1d,4w:1w');
  t.same(parseRules(''), []);
  t.throws(() => parseRules('24h'), { code: 'invalid', message: /not a retention rule/ });
  t.throws(() => parseRules('24h:1h:1m'), { code: 'invalid' });
  t.throws(() => parseRules('1h:1d'), { code: 'invalid', message: /period is longer than the window/ });
  t.throws(() => parseRules(Array(20).fill('1d:1h').join(',')), { code: 'invalid', message: /at most 16/ });
});

t.test('no rule and no keep-last keeps everything', async (t) => {
  const snaps = [snap('a', T0 - 400 * D), snap('b', T0)];
  t.same(toDelete(snaps, { rules: [], keepLast: 0 }, T0), []);
});

t.test('keep-last keeps the newest N and deletes the rest, oldest first', async (t) => {
  const snaps = ['a', 'b', 'c', 'd', 'e'].map((id, i) => snap(id, T0 + i * M));
  t.same(toDelete(snaps, { rules: [], keepLast: 2 }, T0 + 10 * M), ['a', 'b', 'c']);
  t.same(toDelete(snaps, { rules: [], keepLast: 10 }, T0 + 10 * M), [], 'fewer than N: nothing to delete');
});

t.test('a window is inclusive at its edge', async (t) => {
  const policy: RetentionPolicy = { rules: [{ windowMs: D, everyMs: H }], keepLast: 0 };
  const now = T0 + 2 * D;
  t.same(toDelete([snap('edge', now - D)], policy, now), [], 'exactly WINDOW old: kept');
  t.same(toDelete([snap('past', now - D - 1)], policy, now), ['past'], 'one ms older: deleted');
});

t.test('one per period: the newest of each clock hour', async (t) => {
  const policy: RetentionPolicy = { rules: [{ windowMs: D, everyMs: H }], keepLast: 0 };
  // Every 10 minutes from 00:00 to 02:50.
  const snaps = Array.from({ length: 18 }, (_, i) => snap(`s${i}`, T0 + i * 10 * M));
  const deleted = toDelete(snaps, policy, T0 + 3 * H);
  const kept = snaps.filter((s) => !deleted.includes(s.id)).map((s) => s.id);
  t.same(kept, ['s5', 's11', 's17'], '00:50, 01:50 and 02:50');
});

t.test('periods are aligned to the epoch, so a kept snapshot of a closed period stays kept', async (t) => {
  const policy: RetentionPolicy = { rules: parseRules('24h:1h,7d:1d'), keepLast: 3 };
  let snaps: RetainedSnapshot[] = [];
  /** The last snapshot taken in each hour: what the hourly rule keeps once that hour is over. */
  const lastOfHour = new Map<number, string>();
  // A snapshot every 10 minutes for 9 days, retention after each, as the scheduler does.
  for (let now = T0, i = 0; now < T0 + 9 * D; now += 10 * M, i++) {
    snaps.push(snap(`s${i}`, now, i === 7));
    lastOfHour.set(Math.floor(now / H), `s${i}`);
    const gone = new Set(toDelete(snaps, policy, now));
    for (const s of snaps.filter((x) => gone.has(x.id))) {
      const hour = Math.floor(s.takenAt / H);
      if (hour < Math.floor(now / H) && lastOfHour.get(hour) === s.id && now - s.takenAt <= D) {
        t.fail(`${s.id}, the last of its closed hour, was deleted while in the 24h window`);
      }
    }
    snaps = snaps.filter((s) => !gone.has(s.id));
  }
  const now = T0 + 9 * D - 10 * M;
  t.ok(
    snaps.some((s) => s.id === 's7'),
    'the protected snapshot survives 9 days',
  );
  const lastDay = snaps.filter((s) => now - s.takenAt <= D);
  t.ok(
    lastDay.length >= 24 && lastDay.length <= 24 + 3 + 1,
    `about one per hour in the last day (${lastDay.length})`,
  );
  const older = snaps.filter((s) => now - s.takenAt > D && s.id !== 's7');
  t.ok(
    older.length >= 6 && older.length <= 8,
    `about one per day for the rest of the week (${older.length})`,
  );
  t.ok(
    snaps.every((s) => now - s.takenAt <= 7 * D || s.id === 's7'),
    'nothing older than the longest window',
  );
});

t.test('protected snapshots are never deleted, whatever their age', async (t) => {
  const snaps = [snap('tagged', T0 - 900 * D, true), snap('old', T0 - 900 * D), snap('new', T0)];
  t.same(toDelete(snaps, { rules: [], keepLast: 1 }, T0), ['old']);
});

t.test('a clock that went back deletes nothing a correct clock would keep', async (t) => {
  const policy: RetentionPolicy = { rules: [{ windowMs: H, everyMs: 10 * M }], keepLast: 0 };
  // Snapshots taken before the clock was set back by a day: they look as if from the future.
  const snaps = [snap('f1', T0 + D), snap('f2', T0 + D + 10 * M)];
  const deleted = toDelete(snaps, policy, T0);
  t.ok(deleted.length <= 1, 'at most the older of two counted in the same period');
  t.notOk(deleted.includes('f2'), 'the newest is kept');
});

t.test('next run: at once when never run or missed, once, not per missed interval', async (t) => {
  const every = 10 * M;
  t.equal(nextRunAt({ everyMs: every }, T0), T0, 'never run: now');
  t.equal(nextRunAt({ everyMs: every, lastRunAt: T0 }, T0 + M), T0 + every, 'on time');
  t.equal(
    nextRunAt({ everyMs: every, lastRunAt: T0 }, T0 + 5 * D),
    T0 + 5 * D,
    'missed for days: one run now',
  );
  t.equal(
    nextRunAt({ everyMs: every, lastRunAt: T0 + 5 * D }, T0 + 5 * D),
    T0 + 5 * D + every,
    'after that catch-up run, the normal interval',
  );
  t.equal(
    nextRunAt({ everyMs: every, lastRunAt: T0 + D }, T0),
    T0 + every,
    'clock went back: no day-long wait',
  );
  t.equal(delayUntilNextRun({ everyMs: every, lastRunAt: T0 }, T0 + 4 * M), 6 * M);
});
