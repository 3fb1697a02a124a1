// Mirrors through the /dvol API against a real redis-server: add (a first full sync), changes
// followed, a reset mirrored back, list with state and last error while Redis is down, rm, and the
// mirrors resumed by a server opened again on the same state directory.

import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import type { MirrorInfo } from '../../api/mirror.js';
import { startRedis } from '../../storage/mirror/redis.testkit.js';
import { AUTHOR } from '../../storage/store.testkit.js';
import { api, shortDir, testServer } from '../server.testkit.js';

const NO_DOCKER = { dockerSocket: '/nonexistent/docker.sock' };

/** Retries `get` until it answers `want` (the watch and the mirror run asynchronously). */
async function eventually<T>(want: T, get: () => Promise<T>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  let got = await get();
  while (JSON.stringify(got) !== JSON.stringify(want) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    got = await get();
  }
  return got;
}

t.test('add syncs what is there, follows changes, and resyncs after a reset', async (t) => {
  const redis = await startRedis(t);
  const { app, store } = await testServer(t, NO_DOCKER);
  await api(app, 'POST', '/volumes', { name: 'db' });
  const data = await store.volume('db').dataPath();
  await writeFile(join(data, 'before'), 'was there');
  await api(app, 'POST', '/volumes/db/commits', { message: 'one', author: AUTHOR });

  const added = await api(app, 'POST', '/volumes/db/mirrors', { url: redis.url, prefix: 'db:' });
  t.equal(added.status, 201);
  const mirror = added.body.mirror as MirrorInfo;
  t.match(mirror, { volume: 'db', state: 'live', target: redis.url, prefix: 'db:', keys: 1 });
  t.equal(await redis.cli('get', 'db:before'), 'was there', 'the first sync');

  await writeFile(join(data, 'key1'), 'value1\n');
  t.equal(await eventually('value1\n', () => redis.cli('get', 'db:key1')), 'value1\n', 'a change followed');
  await rm(join(data, 'before'));
  t.equal(await eventually('0', () => redis.cli('exists', 'db:before')), '0', 'a deletion followed');

  const reset = await api(app, 'POST', '/volumes/db/reset', { ref: 'HEAD', hard: true });
  t.equal(reset.status, 200, 'reset --hard HEAD');
  t.equal(await readFile(join(await store.volume('db').dataPath(), 'before'), 'utf8'), 'was there');
  t.equal(
    await eventually('was there', () => redis.cli('get', 'db:before')),
    'was there',
    'the reset mirrored back',
  );
  t.equal(await eventually('0', () => redis.cli('exists', 'db:key1')), '0', 'and what it discarded gone');
  // The watch restarted on the data after the reset.
  await writeFile(join(await store.volume('db').dataPath(), 'after'), 'reset');
  t.equal(
    await eventually('reset', () => redis.cli('get', 'db:after')),
    'reset',
    'changes after it followed',
  );

  t.match((await api(app, 'GET', '/mirrors')).body, { mirrors: [{ id: mirror.id, state: 'live' }] });
  const again = await api(app, 'POST', '/volumes/db/mirrors', { url: redis.url, prefix: 'db:' });
  t.match(again, { status: 409, body: { error: { code: 'exists' } } }, 'the same mirror twice is refused');
  t.match(await api(app, 'DELETE', `/mirrors/${mirror.id}`), {
    status: 200,
    body: { mirror: { state: 'stopped' } },
  });
  t.same((await api(app, 'GET', '/mirrors')).body, { mirrors: [] });
  t.match(await api(app, 'DELETE', `/mirrors/${mirror.id}`), { status: 404 });
});

t.test('a Redis that is down is retried; list shows the state and the last error', async (t) => {
  const redis = await startRedis(t);
  await redis.stop();
  const { app, store } = await testServer(t, NO_DOCKER);
  await api(app, 'POST', '/volumes', { name: 'db' });
  await writeFile(join(await store.volume('db').dataPath(), 'k'), 'v');
  const added = await api(app, 'POST', '/volumes/db/mirrors', { url: redis.url });
  t.equal(added.status, 201, 'added all the same');
  t.match(added.body.mirror, { state: 'retrying', lastError: /\S/, retryAt: /^\d{4}-/ });
  await redis.start();
  const state = async () => ((await api(app, 'GET', '/mirrors')).body.mirrors as MirrorInfo[])[0]?.state;
  t.equal(await eventually('live', state, 10_000), 'live', 'live once Redis is back');
  t.equal(await redis.cli('get', 'k'), 'v', 'with a full sync');
});

t.test('mirrors are persisted and resumed by the next server on the state directory', async (t) => {
  const redis = await startRedis(t);
  // tap's test directory is made anew by each testServer: the state lives beside it.
  const dir = await shortDir(t);
  const paths = { ...NO_DOCKER, stateDir: join(dir, 'state'), mountsRoot: join(dir, 'mnt') };
  const first = await testServer(t, paths);
  await api(first.app, 'POST', '/volumes', { name: 'db' });
  await api(first.app, 'POST', '/volumes/db/mirrors', { url: redis.url, prefix: 'p:' });
  await first.deps.mirrors.close();
  await first.deps.watches.close();
  await first.store.close();
  await redis.cli('set', 'p:stale', 'gone while no server ran');
  const second = await testServer(t, paths);
  const list = async () => (await api(second.app, 'GET', '/mirrors')).body.mirrors as MirrorInfo[];
  t.match(await list(), [{ volume: 'db', prefix: 'p:' }], 'resumed');
  await writeFile(join(await second.store.volume('db').dataPath(), 'later'), 'y');
  t.equal(await eventually('y', () => redis.cli('get', 'p:later')), 'y', 'and following changes');
  t.equal(await redis.cli('exists', 'p:stale'), '0', 'after a first full sync');
});

t.test('bad URLs and unknown volumes are refused with what to write', async (t) => {
  const { app } = await testServer(t, NO_DOCKER);
  await api(app, 'POST', '/volumes', { name: 'db' });
  t.match(await api(app, 'POST', '/volumes/db/mirrors', { url: 'http://x' }), {
    status: 400,
    body: { error: { message: /must start with redis:\/\// } },
  });
  t.match(await api(app, 'POST', '/volumes/nope/mirrors', { url: 'redis://127.0.0.1:1/0' }), { status: 404 });
  t.match(await api(app, 'POST', '/volumes/db/mirrors', { url: 'redis://h', extra: 1 }), { status: 400 });
});

t.test('removing a volume removes its mirrors, and a new volume of its name has none', async (t) => {
  const redis = await startRedis(t);
  const dir = await shortDir(t);
  const paths = { ...NO_DOCKER, stateDir: join(dir, 'state'), mountsRoot: join(dir, 'mnt') };
  const { app } = await testServer(t, paths);
  await api(app, 'POST', '/volumes', { name: 'db' });
  await api(app, 'POST', '/volumes', { name: 'other' });
  await api(app, 'POST', '/volumes/db/mirrors', { url: redis.url });
  await api(app, 'POST', '/volumes/other/mirrors', { url: redis.url, prefix: 'o:' });
  t.equal((await api(app, 'DELETE', '/volumes/db')).status, 200);
  const list = async () => (await api(app, 'GET', '/mirrors')).body.mirrors as MirrorInfo[];
  t.match(await list(), [{ volume: 'other' }], "only the other volume's mirror is left");
  t.equal((await list()).length, 1);
  await api(app, 'POST', '/volumes', { name: 'db' });
  t.equal((await list()).length, 1, 'a new volume of the same name is not mirrored');
  const persisted = await readFile(join(paths.stateDir, 'mirrors.json'), 'utf8');
  t.notMatch(persisted, /"volume": ?"db"/, 'and the removal is persisted');
});
