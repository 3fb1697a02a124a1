// The schedules file: written atomically, read back the same, refused when of another version.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { ScheduleBook, type Schedule } from './book.js';

const sample = (volume: string, extra: Partial<Schedule> = {}): Schedule => ({
  volume,
  everyMs: 600_000,
  rules: [{ windowMs: 86_400_000, everyMs: 3_600_000 }],
  keepLast: 3,
  paused: false,
  createdAt: '2026-11-30T00:00:00.000Z',
  ...extra,
});

t.test('schedules persist across opens, in a versioned file', async (t) => {
  const root = t.testdir();
  const book = await ScheduleBook.open(root);
  t.same(book.list(), []);
  await book.put(sample('db', { lastRunAt: Date.UTC(2026, 10, 30, 1) }));
  await book.put(sample('constructor', { paused: true }));
  const again = await ScheduleBook.open(root);
  t.same(again.list(), [
    sample('constructor', { paused: true }),
    sample('db', { lastRunAt: Date.UTC(2026, 10, 30, 1) }),
  ]);
  t.equal(again.get('toString'), undefined, 'no inherited key is a schedule');
  const file = JSON.parse(await readFile(join(root, 'schedules.json'), 'utf8')) as Record<string, unknown>;
  t.match(file, {
    format: 'dvol-schedules',
    version: 1,
    schedules: { db: { every: '10m', keep: '1d:1h', keepLast: 3, lastRunAt: '2026-11-30T01:00:00.000Z' } },
  });
  t.equal(await again.remove('db'), true);
  t.equal(await again.remove('db'), false);
  t.same(
    (await ScheduleBook.open(root)).list().map((s) => s.volume),
    ['constructor'],
  );
});

t.test('concurrent changes are all written', async (t) => {
  const root = t.testdir();
  const book = await ScheduleBook.open(root);
  await Promise.all(Array.from({ length: 20 }, (_, i) => book.put(sample(`v${i}`))));
  t.equal((await ScheduleBook.open(root)).list().length, 20);
});

t.test('another format or version is refused with its reason', async (t) => {
  const root = t.testdir();
  const path = join(root, 'schedules.json');
  await writeFile(path, JSON.stringify({ format: 'dvol-schedules', version: 2, schedules: {} }));
  await t.rejects(ScheduleBook.open(root), { code: 'corrupt', message: /version 2/, hint: 'upgrade dvol' });
  await writeFile(path, JSON.stringify({ hello: 1 }));
  await t.rejects(ScheduleBook.open(root), { code: 'corrupt', message: /not a dvol schedules file/ });
  await writeFile(
    path,
    JSON.stringify({ format: 'dvol-schedules', version: 1, schedules: { db: { every: 'soon', keep: '' } } }),
  );
  await t.rejects(ScheduleBook.open(root), { code: 'corrupt', message: /volume 'db'/ });
});
