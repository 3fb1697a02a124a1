// The /dvol API on a real store: every route, its answers and its error statuses.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { AUTHOR } from '../storage/store.testkit.js';
import { ActiveVolume } from './active.js';
import { api, testServer } from './server.testkit.js';

t.test('version', async (t) => {
  const { app } = await testServer(t);
  t.same(await api(app, 'GET', '/version'), {
    status: 200,
    body: { version: '0.1.0', api: '1.0', defaultDriver: 'plain' },
  });
});

t.test('init, list, inspect, switch and rm of volumes', async (t) => {
  const { app, store, config } = await testServer(t);
  t.same(await api(app, 'GET', '/active'), { status: 200, body: { active: null } });
  const init = await api(app, 'POST', '/volumes', { name: 'db' });
  t.equal(init.status, 201);
  t.match(init.body, { volume: { name: 'db', activeBranch: 'master', head: null, driver: 'plain' } });
  t.same((await api(app, 'GET', '/active')).body, { active: 'db' }, 'init makes it active');
  await api(app, 'POST', '/volumes', { name: 'web', driver: 'plain', options: {} });
  t.same((await api(app, 'GET', '/active')).body, { active: 'web' });

  await writeFile(join(await store.volume('db').dataPath(), 'f'), 'data');
  const list = await api(app, 'GET', '/volumes');
  t.equal(list.status, 200);
  t.match(list.body, {
    active: 'web',
    volumes: [
      { name: 'db', dirty: true, containers: [], size: { bytes: Number } },
      { name: 'web', dirty: false, containers: [] },
    ],
  });

  const inspect = await api(app, 'GET', '/volumes/db');
  t.match(inspect.body, {
    volume: { name: 'db' },
    status: { volume: 'db', branch: 'master', dirty: true },
    containers: [],
  });

  t.same(await api(app, 'PUT', '/active', { name: 'db' }), { status: 200, body: { active: 'db' } });
  t.equal((await ActiveVolume.load(config.stateDir)).get(), 'db', 'persisted in the state directory');
  t.match(await api(app, 'PUT', '/active', { name: 'nope' }), {
    status: 404,
    body: { error: { code: 'not_found' } },
  });
  t.same((await api(app, 'GET', '/active')).body, { active: 'db' }, 'unchanged by the failed switch');

  t.same(await api(app, 'DELETE', '/volumes/db'), { status: 200, body: {} });
  t.same((await api(app, 'GET', '/active')).body, { active: null }, 'removing the active volume clears it');
  t.match(await api(app, 'GET', '/volumes/db'), { status: 404, body: { error: { code: 'not_found' } } });
});

t.test('bad requests get a status and one sentence with a hint', async (t) => {
  const { app } = await testServer(t);
  const bad = async (
    method: string,
    path: string,
    body: unknown,
    status: number,
    code: string,
    message: RegExp,
  ) => {
    const answer = await api(app, method, path, body);
    t.equal(answer.status, status, `${method} ${path} → ${status}`);
    t.match(answer.body, { error: { code, message } });
    t.same(Object.keys(answer.body), ['error']);
  };
  await bad(
    'POST',
    '/volumes',
    { name: 'db', colour: 'red' },
    400,
    'invalid',
    /body has unknown field 'colour'/,
  );
  await bad('POST', '/volumes', {}, 400, 'invalid', /must have required property 'name'/);
  await bad('POST', '/volumes', { name: 'a b' }, 400, 'invalid', /invalid volume name 'a b'/);
  await bad('POST', '/volumes', { name: 'db', options: { x: '1' } }, 400, 'invalid', /unknown option 'x'/);
  await api(app, 'POST', '/volumes', { name: 'db' });
  await bad('POST', '/volumes', { name: 'db' }, 409, 'exists', /already exists/);
  await bad('POST', '/volumes/db/commits', { message: 'm' }, 400, 'invalid', /required property 'author'/);
  await bad(
    'POST',
    '/volumes/db/commits',
    { message: ' ', author: AUTHOR },
    400,
    'invalid',
    /commit message is empty/,
  );
  await bad('GET', '/volumes/db/resolve', undefined, 400, 'invalid', /'ref' query parameter is missing/);
  await bad('GET', '/volumes/db/resolve?ref=HEAD', undefined, 404, 'not_found', /./);
  await bad('GET', '/volumes/nope/commits', undefined, 404, 'not_found', /volume 'nope' does not exist/);
  await bad('GET', '/nowhere', undefined, 404, 'not_found', /no route GET \/dvol\/nowhere/);

  const res = await app.request('/dvol/volumes', { method: 'POST', body: '{"name":' });
  t.equal(res.status, 400, 'bad JSON');
  t.match(await res.json(), { error: { code: 'invalid', message: /not valid JSON/ } });
});

t.test('commit, log, resolve, checkout, branches, reset, tags, commit data, fsck', async (t) => {
  const { app, store } = await testServer(t);
  await api(app, 'POST', '/volumes', { name: 'db' });
  const data = async () => store.volume('db').dataPath();
  await writeFile(join(await data(), 'f'), 'one');

  const first = await api(app, 'POST', '/volumes/db/commits', { message: 'one', author: AUTHOR });
  t.equal(first.status, 201);
  const one = (first.body.commit as { id: string }).id;
  t.match(first.body, { commit: { id: /^[0-9a-f]{40}$/, message: 'one', author: AUTHOR, parent: null } });
  await writeFile(join(await data(), 'f'), 'two');
  const two = (
    (await api(app, 'POST', '/volumes/db/commits', { message: 'two', author: AUTHOR })).body.commit as {
      id: string;
    }
  ).id;

  const log = await api(app, 'GET', '/volumes/db/commits');
  t.same(
    (log.body.commits as { id: string }[]).map((c) => c.id),
    [two, one],
    'newest first',
  );
  t.same(((await api(app, 'GET', `/volumes/db/commits?ref=${one}`)).body.commits as unknown[]).length, 1);
  t.match((await api(app, 'GET', '/volumes/db/resolve?ref=HEAD%5E')).body, { commit: { id: one } }, 'HEAD^');

  await writeFile(join(await data(), 'f'), 'dirty');
  t.match(await api(app, 'POST', '/volumes/db/checkout', { branch: 'dev', create: true }), {
    status: 409,
    body: { error: { code: 'dirty' } },
  });
  const reset = await api(app, 'POST', '/volumes/db/reset', { ref: 'HEAD', hard: true });
  t.match(reset, { status: 200, body: { commit: { id: two }, removed: [], restarted: [] } });

  const checkout = await api(app, 'POST', '/volumes/db/checkout', { branch: 'dev', create: true });
  t.same(checkout.body, {
    branch: { name: 'dev', head: two, active: true },
    from: { branch: 'master', commit: two },
    restarted: [],
  });
  t.match((await api(app, 'GET', '/volumes/db/branches')).body, {
    branches: [
      { name: 'dev', active: true },
      { name: 'master', active: false },
    ],
  });
  t.same((await api(app, 'POST', '/volumes/db/checkout', { branch: 'master' })).body, {
    branch: { name: 'master', head: two, active: true },
    restarted: [],
  });
  t.same(await api(app, 'DELETE', '/volumes/db/branches/dev'), { status: 200, body: { removed: [] } });
  t.match(await api(app, 'DELETE', '/volumes/db/branches/master'), { status: 409 }, 'not the active branch');

  const tag = await api(app, 'POST', '/volumes/db/tags', { name: 'v1', ref: one });
  t.match(tag, { status: 201, body: { tag: { name: 'v1', commit: one } } });
  t.match((await api(app, 'GET', '/volumes/db/tags')).body, { tags: [{ name: 'v1', commit: one }] });
  t.match(await api(app, 'POST', '/volumes/db/tags', { name: 'v1' }), {
    status: 409,
    body: { error: { code: 'exists' } },
  });
  t.same(await api(app, 'DELETE', '/volumes/db/tags/v1'), { status: 200, body: {} });
  t.same((await api(app, 'GET', '/volumes/db/tags')).body, { tags: [] });

  t.match(await api(app, 'POST', '/volumes/db/commits/delete', { ref: one }), {
    status: 200,
    body: { commit: { id: one, dataDeleted: true } },
  });
  t.match(
    await api(app, 'POST', '/volumes/db/commits/delete', { ref: 'HEAD' }),
    { status: 409 },
    'not a tip',
  );

  const hardBack = await api(app, 'POST', '/volumes/db/reset', { ref: 'HEAD^', hard: false });
  t.equal(hardBack.status, 409, 'an unforced reset that loses a commit is refused');
  t.same(await api(app, 'GET', '/fsck'), { status: 200, body: { problems: [] } });
  t.same(await api(app, 'GET', '/volumes/db/fsck'), { status: 200, body: { problems: [] } });
});
