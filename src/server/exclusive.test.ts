// Exclusive volumes through Docker's own calls, on a real store and real bind mounts: the policy kept
// in the volume's metadata, the same mount ID passing, a second one refused while Docker cannot tell
// who holds it, and holders that no running container accounts for cleared (the real engine is asked).

import { existsSync } from 'node:fs';
import t from 'tap';
import { api, docker, testServer } from './server.testkit.js';

const ID_A = 'a'.repeat(64);
const ID_B = 'b'.repeat(64);
const isRoot = process.getuid?.() === 0;
const DOCKER = '/var/run/docker.sock';

t.test('exclusive=true is kept in the metadata, shown by inspect and Get, and can be changed', async (t) => {
  const { app, store } = await testServer(t, { dockerSocket: '/nonexistent/docker.sock' });
  t.same((await docker(app, 'VolumeDriver.Create', { Name: 'db', Opts: { exclusive: 'true' } })).body, {});
  t.same((await docker(app, 'VolumeDriver.Create', { Name: 'web', Opts: { exclusive: 'false' } })).body, {});
  t.equal((await store.volume('db').info()).exclusive, true);
  t.same((await store.volume('db').info()).options, {}, 'not a driver option');
  t.equal((await store.volume('web').info()).exclusive, false);
  t.match((await api(app, 'GET', '/volumes/db')).body, { volume: { exclusive: true } });
  t.match((await docker(app, 'VolumeDriver.Get', { Name: 'db' })).body, {
    Volume: { Status: { exclusive: true } },
  });
  t.match((await docker(app, 'VolumeDriver.Create', { Name: 'x', Opts: { exclusive: 'yes' } })).body, {
    Err: /option exclusive of volume 'x' must be true or false/,
  });
  t.equal(await store.getVolume('x'), undefined, 'a refused create leaves nothing');
  const put = await api(app, 'PUT', '/volumes/db/exclusive', { exclusive: false });
  t.match(put, { status: 200, body: { volume: { name: 'db', exclusive: false } } });
  t.equal((await store.volume('db').info()).exclusive, false, 'persisted');
});

t.test(
  'the same mount ID mounts again; another is refused while Docker cannot say who holds it',
  { skip: !isRoot && 'mounting needs root' },
  async (t) => {
    const { app, store } = await testServer(t, { dockerSocket: '/nonexistent/docker.sock' });
    await docker(app, 'VolumeDriver.Create', { Name: 'db', Opts: { exclusive: 'true' } });
    t.match((await docker(app, 'VolumeDriver.Mount', { Name: 'db', ID: ID_A })).body, { Mountpoint: /db$/ });
    t.match(
      (await docker(app, 'VolumeDriver.Mount', { Name: 'db', ID: ID_A })).body,
      { Mountpoint: /db$/ },
      'docker cp',
    );
    const refused = await docker(app, 'VolumeDriver.Mount', { Name: 'db', ID: ID_B });
    t.match(refused.body, {
      Err: /^volume 'db' is exclusive and already mounted, and dvol cannot ask Docker/,
    });
    t.same(store.mounts.holders('db'), { [ID_A]: 2 }, 'nothing counted for the refused mount');
    await docker(app, 'VolumeDriver.Unmount', { Name: 'db', ID: ID_A });
    await docker(app, 'VolumeDriver.Unmount', { Name: 'db', ID: ID_A });
    t.match(
      (await docker(app, 'VolumeDriver.Mount', { Name: 'db', ID: ID_B })).body,
      { Mountpoint: /db$/ },
      'free again',
    );
    await docker(app, 'VolumeDriver.Unmount', { Name: 'db', ID: ID_B });
  },
);

t.test(
  'a shared volume takes mounts of several IDs',
  { skip: !isRoot && 'mounting needs root' },
  async (t) => {
    const { app, store } = await testServer(t, { dockerSocket: '/nonexistent/docker.sock' });
    await docker(app, 'VolumeDriver.Create', { Name: 'db', Opts: null });
    await docker(app, 'VolumeDriver.Mount', { Name: 'db', ID: ID_A });
    t.match((await docker(app, 'VolumeDriver.Mount', { Name: 'db', ID: ID_B })).body, { Mountpoint: /db$/ });
    t.same(store.mounts.holders('db'), { [ID_A]: 1, [ID_B]: 1 });
    await docker(app, 'VolumeDriver.Unmount', { Name: 'db', ID: ID_A });
    await docker(app, 'VolumeDriver.Unmount', { Name: 'db', ID: ID_B });
  },
);

t.test(
  'a holder no running container accounts for is stale: cleared, and the new mount passes',
  { skip: (!isRoot && 'mounting needs root') || (!existsSync(DOCKER) && `no Docker engine at ${DOCKER}`) },
  async (t) => {
    // A driver name no container uses: the engine's answer is "nobody runs with this volume".
    const { app, store } = await testServer(t, { pluginName: `dvolunit${process.pid}` });
    await docker(app, 'VolumeDriver.Create', { Name: 'db', Opts: { exclusive: 'true' } });
    await docker(app, 'VolumeDriver.Mount', { Name: 'db', ID: ID_A });
    t.match((await docker(app, 'VolumeDriver.Mount', { Name: 'db', ID: ID_B })).body, { Mountpoint: /db$/ });
    t.same(store.mounts.holders('db'), { [ID_B]: 1 }, 'the stale holder is gone');
    await docker(app, 'VolumeDriver.Unmount', { Name: 'db', ID: ID_B });
  },
);
