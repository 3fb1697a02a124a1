// A running operation on one volume never blocks Docker's calls for others, nor an Unmount of its own.

import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { AUTHOR } from '../storage/store.testkit.js';
import { api, docker, testServer } from './server.testkit.js';

const ID = 'c'.repeat(64);
const isRoot = process.getuid?.() === 0;

/** Resolves to 'pending' if the promise has not settled within `ms`. */
function within<T>(promise: Promise<T>, ms = 1000): Promise<T | 'pending'> {
  return Promise.race([promise, new Promise<'pending'>((r) => setTimeout(() => r('pending'), ms))]);
}

t.test(
  'while an operation holds volume a, Docker calls go through',
  { skip: !isRoot && 'mounting needs root' },
  async (t) => {
    const { app, deps } = await testServer(t);
    for (const Name of ['a', 'b']) await docker(app, 'VolumeDriver.Create', { Name, Opts: null });
    await docker(app, 'VolumeDriver.Mount', { Name: 'a', ID });
    await docker(app, 'VolumeDriver.Mount', { Name: 'a', ID: 'd'.repeat(64) });

    // The guard is what commit, checkout and reset run under; the gate keeps the operation "running".
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const operation = deps.guard.paused('a', 'a test operation', () => gate);
    await new Promise((r) => setTimeout(r, 50));

    t.match(
      await within(docker(app, 'VolumeDriver.Get', { Name: 'b' })),
      { body: { Volume: { Name: 'b' } } },
      'Get of another volume',
    );
    t.match(await within(docker(app, 'VolumeDriver.Capabilities', {})), { status: 200 }, 'Capabilities');
    t.match(await within(docker(app, 'VolumeDriver.List', {})), { status: 200 }, 'List');
    t.match(
      await within(docker(app, 'VolumeDriver.Mount', { Name: 'b', ID })),
      { body: { Mountpoint: String } },
      'Mount of another volume',
    );
    t.same(
      await within(docker(app, 'VolumeDriver.Unmount', { Name: 'b', ID })),
      { status: 200, body: {} },
      'Unmount of another volume',
    );
    t.match(
      await within(docker(app, 'VolumeDriver.Get', { Name: 'a' })),
      { body: { Volume: { Name: 'a' } } },
      'Get of the busy volume',
    );
    t.same(
      await within(docker(app, 'VolumeDriver.Unmount', { Name: 'a', ID })),
      { status: 200, body: {} },
      'Unmount of the busy volume',
    );

    const mount = docker(app, 'VolumeDriver.Mount', { Name: 'a', ID });
    t.equal(await within(mount, 300), 'pending', 'a Mount of the busy volume waits for the operation');
    finish();
    await operation;
    t.match(await mount, { body: { Mountpoint: deps.mountpoints.path('a') } }, 'and then mounts');
  },
);

t.test(
  'without Docker: operations work on unmounted volumes, and refuse clearly on mounted ones',
  async (t) => {
    const { app, store } = await testServer(t, { dockerSocket: '/nonexistent/docker.sock' });
    await api(app, 'POST', '/volumes', { name: 'db' });
    await writeFile(join(await store.volume('db').dataPath(), 'f'), '1');
    t.equal(
      (await api(app, 'POST', '/volumes/db/commits', { message: 'm', author: AUTHOR })).status,
      201,
      'commit',
    );
    t.match(await api(app, 'POST', '/volumes/db/reset', { ref: 'HEAD', hard: true }), {
      status: 200,
      body: { restarted: [] },
    });
    t.match(await api(app, 'POST', '/volumes/db/checkout', { branch: 'dev', create: true }), { status: 200 });
    t.match(await api(app, 'GET', '/volumes'), {
      status: 200,
      body: { volumes: [{ name: 'db', containers: [] }] },
    });

    if (!isRoot) return;
    await docker(app, 'VolumeDriver.Mount', { Name: 'db', ID });
    const refused =
      /volume 'db' is mounted and dvol cannot stop the containers using it before reset of volume 'db': cannot reach Docker at \/nonexistent\/docker\.sock/;
    t.match(await api(app, 'POST', '/volumes/db/reset', { ref: 'HEAD', hard: true }), {
      status: 409,
      body: { error: { code: 'in_use', message: refused, hint: /start Docker/ } },
    });
    t.match(await api(app, 'POST', '/volumes/db/commits', { message: 'm2', author: AUTHOR }), {
      status: 409,
      body: { error: { code: 'in_use' } },
    });
    t.match(
      await api(app, 'GET', '/volumes'),
      { status: 200, body: { volumes: [{ containers: [] }] } },
      'listing still works',
    );
    await docker(app, 'VolumeDriver.Unmount', { Name: 'db', ID });
  },
);

t.test(
  'mounts no container references (a killed dockerd never unmounts) are cleared by reset and rm',
  { skip: !isRoot ? 'mounting needs root' : !existsSync('/var/run/docker.sock') && 'no Docker engine' },
  async (t) => {
    const { app, store, deps } = await testServer(t);
    for (const name of ['db', 'old']) await api(app, 'POST', '/volumes', { name });
    await docker(app, 'VolumeDriver.Mount', { Name: 'db', ID });
    await docker(app, 'VolumeDriver.Mount', { Name: 'old', ID });
    t.match(
      await api(app, 'POST', '/volumes/db/reset', { ref: 'HEAD', hard: true }),
      {
        status: 404,
        body: { error: { code: 'not_found' } },
      },
      'reset got past the mount check (and found no commit)',
    );
    t.equal(store.mounts.count('db'), 0, 'stale holders cleared');
    t.notOk(deps.mountpoints.isMounted('db'), 'and unbound');
    t.same(
      await docker(app, 'VolumeDriver.Remove', { Name: 'old' }),
      { status: 200, body: {} },
      'Remove of a stale-mounted volume',
    );
  },
);
