// The btrfs driver under the versioning core: a store on btrfs picks it by default, and commit,
// checkout -b, checkout, reset --hard, options and volume removal work end to end with no leftovers.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import t from 'tap';

import { openStore } from '../../store.js';
import { run } from '../exec.js';
import { loopBtrfsFor } from './loop.testkit.js';

const AUTHOR = 'Test Author <test@example.com>';

const mountpoint = await loopBtrfsFor(t, 'btrfs store tests');
if (mountpoint) {
  const store = await openStore(path.join(mountpoint, 'state'));
  t.teardown(() => store.close());
  const subvolumes = async () =>
    (await run('btrfs', ['subvolume', 'list', '-o', mountpoint], 'test')).stdout
      .split('\n')
      .filter((line) => line.includes('state/'));

  t.test('a store on btrfs makes btrfs volumes by default', async (t) => {
    t.equal(store.defaultDriver, 'btrfs');
    const info = await store.createVolume('db');
    t.equal(info.driver, 'btrfs');
    const vol = store.volume('db');
    const data = await vol.dataPath();
    await fs.writeFile(path.join(data, 'rows'), 'original');
    const first = await vol.commit({ message: 'load', author: AUTHOR });
    await vol.createBranch('migration');
    await fs.writeFile(path.join(await vol.dataPath(), 'rows'), 'migrated');
    t.equal((await vol.status()).dirty, true);
    await vol.reset('HEAD', { hard: true });
    t.equal(await fs.readFile(path.join(await vol.dataPath(), 'rows'), 'utf8'), 'original');
    t.equal((await vol.status()).dirty, false);
    await fs.writeFile(path.join(await vol.dataPath(), 'rows'), 'migrated');
    await vol.commit({ message: 'migrate', author: AUTHOR });
    await vol.checkout('master');
    t.equal(await fs.readFile(path.join(await vol.dataPath(), 'rows'), 'utf8'), 'original');
    t.equal((await vol.resolve('HEAD')).id, first.id);
    const [summary] = await store.summarizeVolumes();
    t.match(summary, { name: 'db', dirty: false, size: { bytes: Number } });
    t.same(await store.fsck(), []);
    t.ok((await subvolumes()).length >= 4, 'two branches and two commits are subvolumes');
    await store.removeVolume('db');
    await store.idle();
    t.same(await subvolumes(), [], 'removing the volume deletes every subvolume');
  });

  t.test('btrfs options are checked and applied at volume creation', async (t) => {
    await t.rejects(store.createVolume('bad', { options: { compression: 'lz4' } }), {
      code: 'invalid',
      hint: 'use one of: zstd, lzo, zlib',
    });
    t.equal(await store.getVolume('bad'), undefined, 'nothing is left of the refused volume');
    await store.createVolume('pg', { options: { copyonwrite: 'false' } });
    const data = await store.volume('pg').dataPath();
    const { stdout } = await run('lsattr', ['-d', data], 'test');
    t.match(stdout.split(' ')[0], /C/, 'No_COW is set on the data directory');
    await store.removeVolume('pg');
    await store.createVolume('marked');
    const marked = await store.volume('marked').dataPath();
    await fs.writeFile(path.join(marked, '.nocow'), '');
    t.equal(await store.volume('marked').mountPath(), marked, 'Mount binds the same directory');
    t.match(
      (await run('lsattr', ['-d', marked], 'test')).stdout.split(' ')[0],
      /C/,
      '.nocow honoured at mount',
    );
    await store.removeVolume('marked');
  });

  t.test(
    'a deletion left in the trash (failed, or cut off by a crash): fsck is clean, the next open finishes it',
    async (t) => {
      const root = path.join(mountpoint, 'crashed');
      const first = await openStore(root);
      await first.createVolume('db');
      const data = await first.volume('db').dataPath();
      await fs.writeFile(path.join(data, 'rows'), 'original');
      await first.volume('db').commit({ message: 'load', author: AUTHOR });
      // What a reset whose deletion never ran leaves: the replaced branch, a subvolume in the trash.
      const trash = path.join(root, 'volumes', 'db', 'data', 'trash');
      await fs.mkdir(trash, { recursive: true });
      await run('btrfs', ['subvolume', 'snapshot', data, path.join(trash, '0123456789abcdef')], 'test');
      const inTrash = async () =>
        (await run('btrfs', ['subvolume', 'list', '-o', mountpoint], 'test')).stdout
          .split('\n')
          .filter((line) => line.includes('crashed/volumes/db/data/trash/'));
      t.equal((await inTrash()).length, 1, 'the pending deletion is a subvolume in the trash');
      t.same(await first.fsck(), [], 'fsck does not take it for data');
      t.same(
        (await first.volume('db').branches()).map((b) => b.name),
        ['master'],
        'nor does the volume',
      );
      await first.close();
      const store = await openStore(root);
      t.teardown(() => store.close());
      t.same(await inTrash(), [], 'opening the store deleted it');
      t.same(await fs.readdir(trash), []);
      t.same(await store.fsck(), [], 'fsck is clean');
      t.equal(await fs.readFile(path.join(data, 'rows'), 'utf8'), 'original', 'the live branch is untouched');
      await store.removeVolume('db');
    },
  );

  t.test('forcing btrfs on a store elsewhere fails at create, naming the filesystem', async (t) => {
    const elsewhere = await openStore(t.testdir(), { defaultDriver: 'btrfs' });
    t.teardown(() => elsewhere.close());
    await t.rejects(elsewhere.createVolume('db'), {
      code: 'unsupported',
      message: /driver 'btrfs' cannot be used here: '.*' is on .+, not btrfs/,
    });
    t.same(await elsewhere.listVolumes(), []);
  });
}
