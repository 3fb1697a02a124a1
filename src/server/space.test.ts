// A full state filesystem (a real tmpfs with size=) through Docker's routes: Mount fails cleanly or
// uses the mount table's reserve, Unmount always unbinds, nothing is left counted or bound.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { readJson } from '../storage/atomic.js';
import { mountedUnder } from './bind.js';
import { docker, shortDir, testServer } from './server.testkit.js';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;
const ID_A = 'a'.repeat(64);
const ID_B = 'b'.repeat(64);

/** Writes `path` until the filesystem holding it is full. */
async function fill(path: string): Promise<void> {
  const handle = await open(path, 'a');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) await handle.write(chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    await handle.close().catch(() => undefined);
  }
  // Whatever is left is smaller than a chunk: take it too, a byte at a time in small writes.
  const rest = await open(path, 'a');
  try {
    for (;;) await rest.write(Buffer.alloc(512, 1));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    await rest.close().catch(() => undefined);
  }
}

t.test(
  'Mount and Unmount on a full state filesystem',
  { skip: !isRoot && 'mounting needs root' },
  async (t) => {
    const disk = join(await shortDir(t), 'disk');
    await mkdir(disk);
    await run('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', disk]);
    const stateDir = join(disk, 'state');
    // No Docker: mounts cannot be proven stale, so Remove must refuse them.
    const { app, store, deps } = await testServer(t, { stateDir, dockerSocket: '/nonexistent/docker.sock' });
    t.teardown(() => run('umount', ['-l', disk]));
    const mounts = join(stateDir, 'mounts.json');
    const reserve = join(stateDir, 'mounts.reserve');
    const filler = join(stateDir, 'filler');
    t.same((await docker(app, 'VolumeDriver.Create', { Name: 'db' })).body, {});
    t.ok(existsSync(reserve), 'the mount table has its reserve');

    await fill(filler);
    t.match((await docker(app, 'VolumeDriver.Mount', { Name: 'db', ID: ID_A })).body, { Mountpoint: String });
    t.notOk(existsSync(reserve), 'the first Mount on a full disk used the reserve');
    t.same(await readJson(mounts), { mounts: { db: { [ID_A]: 1 } } }, 'and was recorded');

    await fill(filler);
    const failed = await docker(app, 'VolumeDriver.Mount', { Name: 'db', ID: ID_B });
    t.match(failed.body, { Err: /^no space left on the device while writing .*mounts\.json\nhint: / });
    t.same(store.mounts.holders('db'), { [ID_A]: 1 }, 'the failed Mount left no count in memory');
    t.same(await readJson(mounts), { mounts: { db: { [ID_A]: 1 } } }, 'nor in the file');
    t.match((await docker(app, 'VolumeDriver.Remove', { Name: 'db' })).body, {
      Err: /volume 'db' is mounted/,
    });

    t.same((await docker(app, 'VolumeDriver.Unmount', { Name: 'db', ID: ID_A })).body, {});
    t.notOk(
      (await mountedUnder(deps.mountpoints.root)).has('db'),
      'Unmount unbound although it was not recorded',
    );
    t.equal(store.mounts.count('db'), 0);

    // Space again: everything works, the reserve is back, the file catches up.
    await rm(filler);
    t.match((await docker(app, 'VolumeDriver.Mount', { Name: 'db', ID: ID_B })).body, { Mountpoint: String });
    t.ok(existsSync(reserve), 'the reserve is taken again');
    t.same(await readJson(mounts), { mounts: { db: { [ID_B]: 1 } } });
    t.same((await docker(app, 'VolumeDriver.Unmount', { Name: 'db', ID: ID_B })).body, {});
    t.same((await docker(app, 'VolumeDriver.Remove', { Name: 'db' })).body, {});
    t.same(await store.fsck(), []);
  },
);
