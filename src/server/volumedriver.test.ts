// Docker's VolumeDriver routes, called exactly as dockerd calls them, on a real store and real bind mounts.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { mountedUnder } from './bind.js';
import { docker, testServer } from './server.testkit.js';

const ID_A = 'a'.repeat(64);
const ID_B = 'b'.repeat(64);
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
const isRoot = process.getuid?.() === 0;

t.test('Activate and Capabilities answer without a body and without the store', async (t) => {
  const { app } = await testServer(t);
  t.same(await docker(app, 'Plugin.Activate'), { status: 200, body: { Implements: ['VolumeDriver'] } });
  t.same(await docker(app, 'VolumeDriver.Capabilities', {}), {
    status: 200,
    body: { Capabilities: { Scope: 'local' } },
  });
});

t.test('Create with Opts null, then Get, List and Path', async (t) => {
  const { app } = await testServer(t);
  t.same(await docker(app, 'VolumeDriver.Create', { Name: 'db', Opts: null }), { status: 200, body: {} });
  t.same((await docker(app, 'VolumeDriver.Create', { Name: 'web' })).body, {}, 'Opts may be absent');
  t.same((await docker(app, 'VolumeDriver.Create', { Name: 'x1', Opts: {} })).body, {}, 'or empty');

  const get = await docker(app, 'VolumeDriver.Get', { Name: 'db' });
  t.equal(get.status, 200);
  const volume = get.body.Volume as Record<string, unknown>;
  t.equal(volume.Name, 'db');
  t.match(volume.CreatedAt, RFC3339, 'CreatedAt is RFC 3339');
  t.ok(Math.abs(Date.parse(volume.CreatedAt as string) - Date.now()) < 60_000, 'and recent');
  t.match(volume.Status, { branch: 'master', head: '', branches: 1, driver: 'plain', mounts: 0 });
  t.notOk('Mountpoint' in volume, 'no mount point while unmounted');

  const list = await docker(app, 'VolumeDriver.List', {});
  t.same(list.body, { Volumes: [{ Name: 'db' }, { Name: 'web' }, { Name: 'x1' }] });
  t.same((await docker(app, 'VolumeDriver.Path', { Name: 'db' })).body, {});
});

t.test('Docker may add fields to its bodies: they are ignored', async (t) => {
  const { app } = await testServer(t);
  const answer = await docker(app, 'VolumeDriver.Create', { Name: 'db', Opts: null, Future: 1 });
  t.same(answer, { status: 200, body: {} });
});

t.test('errors are HTTP 200 with Err, never an empty body', async (t) => {
  const { app } = await testServer(t);
  const err = async (method: string, args?: unknown) => {
    const answer = await docker(app, method, args);
    t.equal(answer.status, 200, `${method} answers 200`);
    t.same(Object.keys(answer.body), ['Err'], `${method} answers only Err`);
    return answer.body.Err as string;
  };
  t.match(await err('VolumeDriver.Get', { Name: 'nope' }), /^volume 'nope' does not exist\nhint: /);
  t.match(await err('VolumeDriver.Path', { Name: 'nope' }), /^volume 'nope' does not exist\nhint: /);
  t.match(
    await err('VolumeDriver.Mount', { Name: 'nope', ID: ID_A }),
    /^volume 'nope' does not exist\nhint: /,
  );
  t.match(await err('VolumeDriver.Remove', { Name: 'nope' }), /^volume 'nope' does not exist\nhint: /);
  t.match(await err('VolumeDriver.Create'), /body must have required property 'Name'/);
  t.match(await err('VolumeDriver.Mount', { Name: 'db' }), /required property 'ID'/);
  t.match(await err('VolumeDriver.Create', { Name: 'db', Opts: { size: 1 } }), /Opts\/size must be string/);

  const res = await app.request('/VolumeDriver.Create', {
    method: 'POST',
    body: new TextEncoder().encode('{"Name":'),
  });
  t.match(await res.json(), { Err: /the request body is not valid JSON/ }, 'bad JSON');
});

t.test('bad names and options are refused with our messages', async (t) => {
  const { app } = await testServer(t);
  const create = async (Name: string, Opts: Record<string, string> | null = null) =>
    (await docker(app, 'VolumeDriver.Create', { Name, Opts })).body.Err as string;
  t.match(await create('a/b'), /^invalid volume name 'a\/b': it contains '\/'\nhint: use 1 to 64 letters/);
  t.match(await create('..'), /invalid volume name '\.\.'/);
  t.match(
    await create('db', { size: '1G' }),
    /^unknown option 'size' for volume 'db' \(driver plain\)\nhint: known options: driver=plain\|reflink/,
  );
  t.match(
    await create('db', { driver: 'zfs' }),
    /^unknown snapshot driver 'zfs' for volume 'db'\nhint: use driver=plain\|reflink/,
  );
  t.equal(await create('db', { driver: 'plain' }), undefined, 'a known driver is accepted');
  t.match((await docker(app, 'VolumeDriver.Get', { Name: 'db' })).body, {
    Volume: { Status: { driver: 'plain' } },
  });
  t.match(await create('db'), /volume 'db' already exists/);
});

t.test('Unmount of an unknown volume or ID succeeds', async (t) => {
  const { app } = await testServer(t);
  await docker(app, 'VolumeDriver.Create', { Name: 'db', Opts: null });
  t.same(await docker(app, 'VolumeDriver.Unmount', { Name: 'db', ID: ID_A }), { status: 200, body: {} });
  t.same(await docker(app, 'VolumeDriver.Unmount', { Name: 'nope', ID: ID_A }), { status: 200, body: {} });
  t.same(await docker(app, 'VolumeDriver.Unmount', { Name: 'a/b', ID: ID_A }), { status: 200, body: {} });
});

t.test(
  'Mount counts per ID: Mount(A), Mount(A), Unmount(A) stays mounted',
  { skip: !isRoot && 'mounting needs root' },
  async (t) => {
    // Without Docker the mounts cannot be proven stale, so Remove must refuse them.
    const { app, deps, store } = await testServer(t, { dockerSocket: '/nonexistent/docker.sock' });
    await docker(app, 'VolumeDriver.Create', { Name: 'db', Opts: null });
    await writeFile(join(await store.volume('db').dataPath(), 'hello'), 'world\n');
    const target = join(deps.mountpoints.root, 'db');

    t.same((await docker(app, 'VolumeDriver.Mount', { Name: 'db', ID: ID_A })).body, { Mountpoint: target });
    t.equal(
      await readFile(join(target, 'hello'), 'utf8'),
      'world\n',
      'the data is seen through the mount point',
    );
    t.ok((await mountedUnder(deps.mountpoints.root)).has('db'), 'a real bind mount');
    await docker(app, 'VolumeDriver.Mount', { Name: 'db', ID: ID_A });
    await docker(app, 'VolumeDriver.Mount', { Name: 'db', ID: ID_B });
    t.same(store.mounts.holders('db'), { [ID_A]: 2, [ID_B]: 1 });
    t.match((await docker(app, 'VolumeDriver.Get', { Name: 'db' })).body, {
      Volume: { Mountpoint: target, Status: { mounts: 3 } },
    });
    t.same((await docker(app, 'VolumeDriver.Path', { Name: 'db' })).body, { Mountpoint: target });
    t.same((await docker(app, 'VolumeDriver.List', {})).body, {
      Volumes: [{ Name: 'db', Mountpoint: target }],
    });

    await writeFile(join(target, 'through-mount'), 'x');
    t.equal(
      await readFile(join(await store.volume('db').dataPath(), 'through-mount'), 'utf8'),
      'x',
      'writes land in the branch',
    );

    t.match(
      (await docker(app, 'VolumeDriver.Remove', { Name: 'db' })).body,
      { Err: /volume 'db' is mounted/ },
      'rm refused while mounted',
    );
    await docker(app, 'VolumeDriver.Unmount', { Name: 'db', ID: ID_A });
    await docker(app, 'VolumeDriver.Unmount', { Name: 'db', ID: ID_B });
    t.ok((await mountedUnder(deps.mountpoints.root)).has('db'), 'still mounted: A mounted twice');
    await docker(app, 'VolumeDriver.Unmount', { Name: 'db', ID: ID_A });
    t.notOk((await mountedUnder(deps.mountpoints.root)).has('db'), 'unmounted after the last Unmount');
    t.same(store.mounts.holders('db'), {});

    t.same((await docker(app, 'VolumeDriver.Remove', { Name: 'db' })).body, {});
    t.match((await docker(app, 'VolumeDriver.Get', { Name: 'db' })).body, {
      Err: /volume 'db' does not exist/,
    });
  },
);

t.test(
  'a restarted server reconciles bind mounts with the mount table',
  { skip: !isRoot && 'mounting needs root' },
  async (t) => {
    // No Docker: a restarted server would otherwise clear mounts no running container holds.
    const { app, deps, store, config } = await testServer(t, { dockerSocket: '/nonexistent/docker.sock' });
    for (const Name of ['kept', 'lost', 'stale'])
      await docker(app, 'VolumeDriver.Create', { Name, Opts: null });
    for (const Name of ['kept', 'lost', 'stale']) await docker(app, 'VolumeDriver.Mount', { Name, ID: ID_A });
    // 'lost': the bind vanished (docker plugin disable -f); 'stale': the table says unmounted.
    const { unmount } = await import('./bind.js');
    await unmount(deps.mountpoints.path('lost'));
    await store.mounts.release('stale', ID_A);

    const { buildDeps } = await import('./services.js');
    const restarted = await buildDeps(config, store);
    const present = await mountedUnder(restarted.mountpoints.root);
    t.same([...present].sort(), ['kept', 'lost'], 'kept stays, lost is bound again, stale is unbound');
    t.ok(restarted.mountpoints.isMounted('lost'));
    t.notOk(restarted.mountpoints.isMounted('stale'));
  },
);
