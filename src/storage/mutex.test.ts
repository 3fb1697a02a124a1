import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { KeyedMutex } from './mutex.js';

t.test('one key runs in call order, one at a time; failures do not block the queue', async (t) => {
  const mutex = new KeyedMutex();
  const events: string[] = [];
  const job = (name: string, ms: number, fail = false) =>
    mutex.run('a', async () => {
      events.push(`start ${name}`);
      await sleep(ms);
      events.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    });
  const results = await Promise.allSettled([job('1', 20), job('2', 1, true), job('3', 1)]);
  t.same(events, ['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  t.equal(results[1]?.status, 'rejected');
  t.same(results[2], { status: 'fulfilled', value: '3' });
  t.notOk(mutex.busy('a'), 'the entry is dropped when idle');
});

t.test('different keys run concurrently', async (t) => {
  const mutex = new KeyedMutex();
  let running = 0;
  let peak = 0;
  const job = (key: string) =>
    mutex.run(key, async () => {
      peak = Math.max(peak, ++running);
      await sleep(20);
      running--;
    });
  await Promise.all([job('a'), job('b'), job('c')]);
  t.equal(peak, 3);
  await mutex.idle();
});

t.test('re-entrant within one call chain only, and only while the outer run holds the key', async (t) => {
  const mutex = new KeyedMutex();
  const events: string[] = [];
  let leaked!: Promise<string>;
  const outer = mutex.run('a', async () => {
    events.push('outer');
    // Inside: runs at once rather than deadlock.
    events.push(await mutex.run('a', async () => 'inner'));
    // Started inside but awaited after the outer run ended: must queue like anyone else.
    leaked = sleep(30).then(() => mutex.run('a', async () => 'leaked'));
    return 'outer done';
  });
  const other = mutex.run('a', async () => {
    events.push('other');
    await sleep(50);
    events.push('other done');
    return 'other';
  });
  t.equal(await outer, 'outer done');
  t.equal(await other, 'other');
  events.push(await leaked);
  t.same(events, ['outer', 'inner', 'other', 'other done', 'leaked'], 'others still queue');
});
