// Volume names and mount IDs that are also Object.prototype's keys: bookkept like any other (issue 10, bug 1).

import t from 'tap';
import { buildDeps } from './services.js';
import { mountedUnder } from './bind.js';
import { createApp } from './app.js';
import { PersistedMountTable } from '../storage/mounts.js';
import { docker, testServer } from './server.testkit.js';
import { join } from 'node:path';

const ID = 'e'.repeat(64);
const isRoot = process.getuid?.() === 0;
const root = { skip: !isRoot && 'mounting needs root' };

t.test("volume 'constructor' stays mounted across a restart and cannot be removed", root, async (t) => {
  // No Docker: the mount cannot be proven stale, so Remove must refuse it.
  const { app, store, config } = await testServer(t, { dockerSocket: '/nonexistent/docker.sock' });
  t.same((await docker(app, 'VolumeDriver.Create', { Name: 'constructor' })).body, {});
  t.match((await docker(app, 'VolumeDriver.Mount', { Name: 'constructor', ID })).body, {
    Mountpoint: String,
  });

  // A restart: the mount table is read back from mounts.json, the binds are reconciled with it.
  const reloaded = await PersistedMountTable.load(join(config.stateDir, 'mounts.json'));
  t.equal(reloaded.count('constructor'), 1, 'the mount is in mounts.json');
  const restarted = await buildDeps(config, store);
  t.ok(restarted.mountpoints.isMounted('constructor'), 'still bound after the restart');
  t.ok((await mountedUnder(restarted.mountpoints.root)).has('constructor'));
  const app2 = createApp(restarted);
  t.match(
    (await docker(app2, 'VolumeDriver.Remove', { Name: 'constructor' })).body,
    { Err: /volume 'constructor' is mounted/ },
    'Remove refused while mounted',
  );
  t.same((await docker(app2, 'VolumeDriver.Unmount', { Name: 'constructor', ID })).body, {});
  t.same((await docker(app2, 'VolumeDriver.Remove', { Name: 'constructor' })).body, {});
});

t.test("a Mount with ID 'toString' is counted like any other", root, async (t) => {
  const { app, store } = await testServer(t, { dockerSocket: '/nonexistent/docker.sock' });
  await docker(app, 'VolumeDriver.Create', { Name: 'db' });
  t.match((await docker(app, 'VolumeDriver.Mount', { Name: 'db', ID: 'toString' })).body, {
    Mountpoint: String,
  });
  t.equal(store.mounts.count('db'), 1);
  t.match((await docker(app, 'VolumeDriver.Get', { Name: 'db' })).body, {
    Volume: { Status: { mounts: 1 } },
  });
  t.match(
    (await docker(app, 'VolumeDriver.Remove', { Name: 'db' })).body,
    { Err: /volume 'db' is mounted/ },
    'Remove refused while mounted',
  );
  t.same((await store.fsck()).length, 0, 'fsck clean');
  t.same((await docker(app, 'VolumeDriver.Unmount', { Name: 'db', ID: 'toString' })).body, {});
  t.equal(store.mounts.count('db'), 0);
});

t.test("Mount {Name: 'constructor', ID: 'keys'} leaves List and Create working", root, async (t) => {
  const { app, store } = await testServer(t);
  await docker(app, 'VolumeDriver.Create', { Name: 'constructor' });
  t.match((await docker(app, 'VolumeDriver.Mount', { Name: 'constructor', ID: 'keys' })).body, {
    Mountpoint: String,
  });
  t.equal(typeof Object.keys, 'function', 'Object.keys is still a function');
  t.same((await docker(app, 'VolumeDriver.Create', { Name: 'web' })).body, {});
  t.match((await docker(app, 'VolumeDriver.List', {})).body, {
    Volumes: [{ Name: 'constructor', Mountpoint: String }, { Name: 'web' }],
  });
  t.same(store.mounts.holders('constructor'), { keys: 1 });
  await docker(app, 'VolumeDriver.Unmount', { Name: 'constructor', ID: 'keys' });
});

t.test('mounts.json with prototype names and IDs is restored as written', async (t) => {
  const path = join(t.testdir(), 'mounts.json');
  const table = await PersistedMountTable.load(path);
  const names = ['constructor', 'toString', '__proto__', 'keys', 'hasOwnProperty'];
  for (const volume of names) for (const holder of names) await table.acquire(volume, holder);
  await table.acquire('__proto__', '__proto__');
  const reloaded = await PersistedMountTable.load(path);
  for (const volume of names) t.equal(reloaded.count(volume), volume === '__proto__' ? 6 : 5, volume);
  t.equal(reloaded.holders('__proto__')['__proto__'], 2);
  t.same(reloaded.volumes().sort(), [...names].sort());
  for (const holder of names) await reloaded.release('toString', holder);
  t.equal(reloaded.count('toString'), 0);
  t.equal((await PersistedMountTable.load(path)).count('toString'), 0);
  t.equal(reloaded.count('valueOf'), 0, 'a name never mounted counts 0');
});

t.test('Mount IDs are checked: 1 to 128 of [A-Za-z0-9_.-]', async (t) => {
  const { app } = await testServer(t);
  await docker(app, 'VolumeDriver.Create', { Name: 'db' });
  for (const ID of ['', 'a/b', 'x'.repeat(129), 'a b', 'é']) {
    const answer = await docker(app, 'VolumeDriver.Mount', { Name: 'db', ID });
    t.match(answer.body, { Err: /ID/ }, `Mount refuses ${JSON.stringify(ID.slice(0, 20))}`);
  }
});

t.test('Unmount of an ID Mount would refuse is a no-op', async (t) => {
  const { app } = await testServer(t);
  await docker(app, 'VolumeDriver.Create', { Name: 'db' });
  t.same((await docker(app, 'VolumeDriver.Unmount', { Name: 'db', ID: 'a/b' })).body, {});
});
