// The lock order seen from Docker's side: Mount never waits on a reader or on an operation queued
// behind one, and Mount cannot succeed together with an rm or fail because a Create is still running.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { AUTHOR } from '../storage/store.testkit.js';
import { mountedUnder } from './bind.js';
import { api, docker, testServer } from './server.testkit.js';

const isRoot = process.getuid?.() === 0;
const root = { skip: !isRoot && 'mounting needs root' };
const id = (n: number) => n.toString(16).padStart(64, '0');

/** Resolves to 'pending' if the promise has not settled within `ms`. */
function within<T>(promise: Promise<T>, ms = 1000): Promise<T | 'pending'> {
  return Promise.race([promise, sleep(ms, 'pending' as const)]);
}

t.test('a diff nobody reads and a commit queued behind it do not hold up Mount', root, async (t) => {
  const { app, store } = await testServer(t, { writeTimeoutMs: 3000 });
  await docker(app, 'VolumeDriver.Create', { Name: 'db' });
  const dir = await store.volume('db').dataPath();
  for (let i = 0; i < 200; i++) await writeFile(join(dir, `f${i}`), 'x');

  // `dvol diff | less` left open: the head line is read, then nothing more.
  const diff = await app.request('/dvol/volumes/db/diff');
  const reader = diff.body!.getReader();
  await reader.read();
  await sleep(100);
  const commit = api(app, 'POST', '/volumes/db/commits', { message: 'm', author: AUTHOR });
  await sleep(100);

  // Nothing is mounted yet, so the listing does not ask Docker about containers.
  const list = await within(api(app, 'GET', '/volumes'));
  t.match(list, { status: 200, body: { volumes: [{ name: 'db', busy: true }] } }, 'dvol list does not wait');
  const started = Date.now();
  const mount = await within(docker(app, 'VolumeDriver.Mount', { Name: 'db', ID: id(1) }));
  t.match(mount, { body: { Mountpoint: String } }, `Mount answered in ${Date.now() - started} ms`);
  t.match(await within(docker(app, 'VolumeDriver.Get', { Name: 'db' })), {
    body: { Volume: { Name: 'db' } },
  });
  t.same(await within(docker(app, 'VolumeDriver.Unmount', { Name: 'db', ID: id(1) })), {
    status: 200,
    body: {},
  });

  // The reader is dropped after the write timeout, which lets the commit run.
  t.match(await within(commit, 10_000), { status: 201 }, 'the commit ran once the reader was dropped');
  await reader.cancel().catch(() => undefined);
});

t.test('Mount and rm racing: never both succeed', root, async (t) => {
  // Without Docker the mount cannot be proven stale, so rm must refuse it.
  const { app, deps } = await testServer(t, { dockerSocket: '/nonexistent/docker.sock' });
  let both = 0;
  const outcomes = new Map<string, number>();
  for (let round = 0; round < 60; round++) {
    t.same((await docker(app, 'VolumeDriver.Create', { Name: 'v' })).body, {}, `round ${round}: created`);
    const gap = round % 6;
    const rm = api(app, 'DELETE', '/volumes/v');
    await sleep(gap);
    const mount = docker(app, 'VolumeDriver.Mount', { Name: 'v', ID: id(round) });
    const [removed, mounted] = [(await rm).status === 200, typeof (await mount).body.Mountpoint === 'string'];
    const key = `${removed ? 'removed' : 'kept'}/${mounted ? 'mounted' : 'not mounted'}`;
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    if (removed && mounted) both++;
    // The invariant: a mounted volume exists and is bound; a removed one is not bound.
    const bound = (await mountedUnder(deps.mountpoints.root)).has('v');
    t.equal(bound, mounted, `round ${round} (${gap} ms): bound exactly when mounted (${key})`);
    if (mounted) {
      t.ok(await deps.store.getVolume('v'), `round ${round}: a mounted volume still exists`);
      await docker(app, 'VolumeDriver.Unmount', { Name: 'v', ID: id(round) });
    }
    if (!removed) t.equal((await api(app, 'DELETE', '/volumes/v')).status, 200);
  }
  t.equal(both, 0, `Mount and rm never both succeeded: ${JSON.stringify([...outcomes])}`);
});

t.test('a Mount sent while the Create is running waits for it', root, async (t) => {
  const { app } = await testServer(t);
  const failures: string[] = [];
  for (let round = 0; round < 30; round++) {
    const name = `c${round}`;
    const create = docker(app, 'VolumeDriver.Create', { Name: name });
    await sleep(round % 3);
    const mount = await docker(app, 'VolumeDriver.Mount', { Name: name, ID: id(round) });
    t.same((await create).body, {}, `round ${round}: created`);
    if (typeof mount.body.Mountpoint !== 'string') failures.push(String(mount.body.Err));
    else await docker(app, 'VolumeDriver.Unmount', { Name: name, ID: id(round) });
  }
  t.same(failures, [], 'every Mount waited for its Create');
});
