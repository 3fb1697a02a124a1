// The scheduler with a clock the test controls, over a real store and the real snapshot operation:
// on-time runs, skips when clean, one catch-up run after downtime, clock jumps, pause, persistence.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ScheduleBook } from '../../storage/schedule/book.js';
import { testServer } from '../server.testkit.js';
import { RECHECK_MS, Scheduler, type Clock } from './scheduler.js';
import { snapshotVolume } from './snapshot.js';

const S = 1000;
const M = 60 * S;
const D = 24 * 60 * M;
const T0 = Date.UTC(2026, 10, 30);

/** Timers on a monotonic time the test advances; the wall clock can jump apart from it. */
class ManualClock implements Clock {
  mono = 0;
  offset = T0;
  timers = new Map<number, { at: number; fn: () => void }>();
  #next = 1;
  now(): number {
    return this.mono + this.offset;
  }
  setTimer(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.timers.set(id, { at: this.mono + ms, fn });
    return id;
  }
  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** Moves the wall clock alone (an operator or NTP setting the time). */
  jump(ms: number): void {
    this.offset += ms;
  }
}

async function setup(t: Test) {
  const { deps, store } = await testServer(t);
  await deps.scheduler.stop(); // the server's own, on the real clock, stays out of the way
  await store.createVolume('db');
  const clock = new ManualClock();
  const root = store.root;
  const make = async () => {
    const s = new Scheduler(
      await ScheduleBook.open(root),
      (schedule, now) => snapshotVolume(deps, schedule, now),
      async (name) => (await store.getVolume(name)) !== undefined,
      clock,
    );
    t.teardown(() => s.stop());
    return s;
  };
  const scheduler = await make();
  /** Fires every timer due up to `ms` from now, in order, waiting for each run. */
  const advance = async (ms: number) => {
    const end = clock.mono + ms;
    for (;;) {
      const due = [...clock.timers].filter(([, x]) => x.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      clock.timers.delete(due[0]);
      clock.mono = due[1].at;
      due[1].fn();
      await current.settled('db');
    }
    clock.mono = end;
  };
  let current = scheduler;
  const use = (s: Scheduler) => (current = s);
  const write = async (content: string) => writeFile(join(await store.volume('db').dataPath(), 'f'), content);
  const snaps = async () => (await store.volume('db').snapshots()).map((s) => s.commit.date);
  return { store, clock, scheduler, make, use, advance, write, snaps };
}

t.test('runs at once, then every interval; a clean volume is skipped', async (t) => {
  const { scheduler, advance, write, snaps } = await setup(t);
  await write('one');
  await scheduler.add('db', { everyMs: 10 * M, rules: [], keepLast: 0 });
  await advance(0);
  t.same(await snaps(), [new Date(T0).toISOString()], 'the first run is made at once');
  t.match(scheduler.get('db'), { lastRunAt: T0, last: { result: 'taken' } });
  await advance(10 * M - 1);
  t.equal((await snaps()).length, 1, 'nothing before the interval is over');
  await advance(1);
  t.match(scheduler.get('db'), { lastRunAt: T0 + 10 * M, last: { result: 'skipped' } }, 'no change: skipped');
  t.equal((await snaps()).length, 1);
  await write('two');
  await advance(10 * M);
  t.same(await snaps(), [new Date(T0 + 20 * M).toISOString(), new Date(T0).toISOString()]);
});

t.test('a run missed while stopped is made once at start, not once per interval', async (t) => {
  const { scheduler, make, use, clock, advance, write, snaps } = await setup(t);
  await write('one');
  await scheduler.add('db', { everyMs: 10 * M, rules: [], keepLast: 0 });
  await advance(0);
  await scheduler.stop();
  await write('two');
  clock.mono += 5 * D; // five days down
  const again = use(await make());
  again.start();
  await advance(0);
  t.equal((await snaps()).length, 2, 'one catch-up run');
  t.equal(again.get('db').lastRunAt, T0 + 5 * D);
  await write('three');
  await advance(10 * M - 1);
  t.equal((await snaps()).length, 2, 'then the normal interval');
  await advance(1);
  t.equal((await snaps()).length, 3);
});

t.test('clock jumps: forward is noticed within a minute, back does not wait the jump out', async (t) => {
  const { scheduler, clock, advance, write, snaps } = await setup(t);
  await write('one');
  await scheduler.add('db', { everyMs: D, rules: [], keepLast: 0 });
  await advance(0);
  await write('two');
  clock.jump(2 * D);
  await advance(RECHECK_MS);
  t.equal((await snaps()).length, 2, 'the run due after a forward jump is made at the next check');
  await write('three');
  clock.jump(-10 * D);
  await advance(D - 1);
  t.equal((await snaps()).length, 2, 'not before an interval has passed');
  await advance(RECHECK_MS + 1);
  t.equal((await snaps()).length, 3, 'after a jump back: one interval from the next check, not ten days');
});

t.test('retention runs after each snapshot: --keep-last', async (t) => {
  const { scheduler, advance, write, snaps, store } = await setup(t);
  await scheduler.add('db', { everyMs: M, rules: [], keepLast: 2 });
  for (let i = 0; i < 5; i++) {
    await write(`v${i}`);
    await advance(i === 0 ? 0 : M);
  }
  t.same(await snaps(), [new Date(T0 + 4 * M).toISOString(), new Date(T0 + 3 * M).toISOString()]);
  t.match(scheduler.get('db').last, { result: 'taken', pruned: 1 });
  t.same(await store.fsck(), []);
});

t.test('pause, resume, remove; a removed volume loses its schedule; all persisted', async (t) => {
  const { scheduler, advance, write, snaps, store, make } = await setup(t);
  await write('one');
  await scheduler.add('db', { everyMs: M, rules: [], keepLast: 0 });
  await advance(0);
  await scheduler.setPaused('db', true);
  await write('two');
  await advance(10 * M);
  t.equal((await snaps()).length, 1, 'nothing while paused');
  t.equal(scheduler.nextRunAt(scheduler.get('db')), undefined);
  t.equal((await make()).get('db').paused, true, 'the pause is persisted');
  await scheduler.setPaused('db', false);
  await advance(0);
  t.equal((await snaps()).length, 2, 'an overdue run at resume');
  await scheduler.remove('db');
  await t.rejects(scheduler.setPaused('db', true), { code: 'not_found', message: /has no schedule/ });
  t.same((await make()).list(), [], 'the removal is persisted');

  await scheduler.add('db', { everyMs: M, rules: [], keepLast: 0 });
  await store.removeVolume('db');
  await advance(M);
  t.same(scheduler.list(), [], 'the schedule of a removed volume is dropped at its next run');
});
