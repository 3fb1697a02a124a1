// The schedule routes as the CLI calls them, on a real store: add, list, pause, resume, remove,
// snapshots, and refusals in one sentence.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { api, testServer } from '../server.testkit.js';

t.test('add, list, pause, resume and remove a schedule', async (t) => {
  const { app, store, deps } = await testServer(t);
  await store.createVolume('db');
  await writeFile(join(await store.volume('db').dataPath(), 'f'), 'one');
  const added = await api(app, 'POST', '/volumes/db/schedule', {
    every: '1h',
    keep: '24h:1h,7d:1d',
    keepLast: 3,
  });
  t.equal(added.status, 201);
  t.match(added.body, {
    schedule: { volume: 'db', every: '1h', keep: '1d:1h,1w:1d', keepLast: 3, paused: false },
  });
  await deps.scheduler.settled('db');
  await new Promise((resolve) => setTimeout(resolve, 50));
  await deps.scheduler.settled('db');
  const listed = await api(app, 'GET', '/schedules');
  t.match(listed.body, { schedules: [{ volume: 'db', last: { result: 'taken' }, nextRunAt: String }] });
  const snaps = await api(app, 'GET', '/volumes/db/snapshots?branch=master');
  t.match(snaps.body, {
    snapshots: [{ branch: 'master', kept: false, commit: { scheduled: true, author: /^dvol scheduler </ } }],
  });
  t.match(
    (snaps.body.snapshots as { commit: { message: string } }[])[0]!.commit.message,
    /every 1h, keep 1d:1h,1w:1d, keep last 3/,
  );
  t.match((await api(app, 'POST', '/volumes/db/schedule/pause')).body, { schedule: { paused: true } });
  const paused = await api(app, 'GET', '/schedules');
  t.notOk((paused.body.schedules as Record<string, unknown>[])[0]!.nextRunAt, 'no next run while paused');
  t.match((await api(app, 'POST', '/volumes/db/schedule/resume')).body, { schedule: { paused: false } });
  t.same((await api(app, 'DELETE', '/volumes/db/schedule')).body, {});
  t.same((await api(app, 'GET', '/schedules')).body, { schedules: [] });
});

t.test('refusals', async (t) => {
  const { app, store } = await testServer(t);
  await store.createVolume('db');
  t.match(await api(app, 'POST', '/volumes/nope/schedule', { every: '1h' }), {
    status: 404,
    body: { error: { message: "volume 'nope' does not exist" } },
  });
  t.match(await api(app, 'POST', '/volumes/db/schedule', { every: 'soon' }), {
    status: 400,
    body: { error: { code: 'invalid', message: "'soon' is not a schedule interval" } },
  });
  t.match(await api(app, 'POST', '/volumes/db/schedule', { every: '1h', keep: '1h:1d' }), {
    status: 400,
    body: { error: { message: /period is longer than the window/ } },
  });
  t.match(await api(app, 'POST', '/volumes/db/schedule', { every: '1h', keepLast: -1 }), { status: 400 });
  t.match(await api(app, 'POST', '/volumes/db/schedule', { every: '1h', often: true }), { status: 400 });
  t.match(await api(app, 'POST', '/volumes/db/schedule/pause'), {
    status: 404,
    body: { error: { message: "volume 'db' has no schedule" } },
  });
  t.match(await api(app, 'DELETE', '/volumes/db/schedule'), { status: 404 });
  t.same(await store.fsck(), []);
});
