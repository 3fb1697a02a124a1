// Reopener: a failed open is retried by a later caller, at most once per interval, once for all.

import t from 'tap';
import { Reopener } from './reopen.js';

const INTERVAL = 100;
const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('retries after the interval, shared by concurrent callers; then keeps the value', async (t) => {
  let attempts = 0;
  let broken = true;
  const failures: unknown[] = [];
  const opener = new Reopener(
    async () => {
      attempts++;
      await later(10);
      if (broken) throw new Error(`attempt ${attempts}`);
      return 'store';
    },
    (err) => {
      failures.push(err);
      return 'why';
    },
    INTERVAL,
  );
  t.match(await opener.first, { ok: false, failure: 'why', error: { message: 'attempt 1' } });
  t.match(await opener.current(), { ok: false }, 'within the interval: the same failure');
  t.equal(attempts, 1, 'no new attempt');
  await later(INTERVAL);
  broken = false;
  const [a, b] = await Promise.all([opener.current(), opener.current()]);
  t.same(
    [a, b],
    [
      { ok: true, value: 'store' },
      { ok: true, value: 'store' },
    ],
  );
  t.equal(attempts, 2, 'one retry for both callers');
  await later(INTERVAL);
  t.same(await opener.current(), { ok: true, value: 'store' });
  t.equal(attempts, 2, 'an open value is never reopened');
  t.equal(failures.length, 1, 'onFailure once per failed attempt');
  t.equal(await opener.close(), 'store');
});

t.test('closed, it stops retrying', async (t) => {
  let attempts = 0;
  const opener = new Reopener(
    () => Promise.reject(new Error(`attempt ${++attempts}`)),
    () => 'why',
    INTERVAL,
  );
  t.equal(await opener.close(), undefined, 'nothing to close');
  await later(INTERVAL);
  t.match(await opener.current(), { ok: false });
  t.equal(attempts, 1);
});
