import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { openStore } from './store.js';
import { AUTHOR, assertClean, commitFile, openTestStore, put } from './store.testkit.js';

t.test('a new store: format.json, private directories, lock', async (t) => {
  const store = await openTestStore(t);
  t.same(JSON.parse(await readFile(join(store.root, 'format.json'), 'utf8')), {
    format: 'dvol-store',
    version: 1,
  });
  t.equal((await stat(store.root)).mode & 0o777, 0o700);
  t.equal(store.defaultDriver, 'plain');
  await t.rejects(openStore(store.root), { code: 'locked' }, 'a second open in this process is refused');
  await assertClean(t, store);
  await store.createVolume('db');
  const vol = store.volume('db');
  await store.close();
  await t.rejects(
    vol.info(),
    { code: 'internal', message: /is closed/ },
    'a handle kept past close() refuses',
  );
  await t.rejects(store.listVolumes(), { message: /is closed/ });
  const again = await openStore(store.root);
  t.equal((await again.listVolumes()).length, 1, 'close() released the lock');
  await again.close();
});

t.test('create, get, list, summarize, remove', async (t) => {
  const store = await openTestStore(t);
  const info = await store.createVolume('db');
  t.match(info, {
    name: 'db',
    driver: 'plain',
    activeBranch: 'master',
    head: null,
    branchCount: 1,
    options: {},
  });
  t.ok(Date.parse(info.createdAt) > 0);
  await store.createVolume('app');
  t.same(await store.getVolume('db'), info);
  t.equal(await store.getVolume('none'), undefined);
  t.equal(await store.getVolume('../etc'), undefined, 'a bad name is simply not found');
  t.same(
    (await store.listVolumes()).map((v) => v.name),
    ['app', 'db'],
  );
  await put(store.volume('db'), 'f', 'hello');
  const summaries = await store.summarizeVolumes();
  t.match(summaries, [
    { name: 'app', dirty: false },
    { name: 'db', dirty: true, size: { bytes: Number } },
  ]);
  t.ok(summaries[1]!.size.bytes >= 5);
  await assertClean(t, store);
  await store.removeVolume('app');
  t.equal(await store.getVolume('app'), undefined);
  t.same(await readdir(join(store.root, 'volumes')), ['db']);
  await store.idle();
  t.same(await readdir(join(store.root, 'trash')), [], 'the removed volume is gone from disk');
  await assertClean(t, store);
});

t.test('creation and removal errors', async (t) => {
  const store = await openTestStore(t);
  await store.createVolume('db');
  await t.rejects(store.createVolume('db'), { code: 'exists', message: "volume 'db' already exists" });
  await t.rejects(store.createVolume('a/b'), { code: 'invalid', message: /'\/'/ });
  await t.rejects(store.createVolume(''), { code: 'invalid', message: /empty/ });
  await t.rejects(store.createVolume('x', { driver: 'nope' as 'plain' }), {
    code: 'invalid',
    message: /nope/,
  });
  await t.rejects(store.createVolume('x', { options: { size: '1G' } }), {
    code: 'invalid',
    message: /unknown option 'size' for volume 'x'/,
  });
  t.throws(() => store.volume('none'), { code: 'not_found', message: "volume 'none' does not exist" });
  await t.rejects(store.removeVolume('none'), { code: 'not_found' });
  await store.mounts.acquire('db', 'm1');
  await t.rejects(store.removeVolume('db'), { code: 'in_use', message: /mounted/ });
  await store.mounts.release('db', 'm1');
  await store.removeVolume('db');
  t.same(await store.listVolumes(), []);
});

t.test('mounts survive a reopen; fsck reports mounts of unknown volumes', async (t) => {
  const root = join(t.testdir(), 'state');
  let store = await openStore(root, { defaultDriver: 'plain' });
  await store.createVolume('db');
  await store.mounts.acquire('db', 'm1');
  await store.mounts.acquire('ghost', 'm2');
  t.match(await store.fsck(), [{ volume: 'ghost', kind: 'mount-unknown-volume' }]);
  await store.close();
  store = await openStore(root, { defaultDriver: 'plain' });
  t.teardown(() => store.close());
  t.equal(store.mounts.count('db'), 1);
});

t.test('format checks on open', async (t) => {
  const dir = t.testdir({
    newer: { 'format.json': '{"format":"dvol-store","version":7}' },
    other: { 'format.json': '{"format":"something","version":1}' },
    full: { 'data.txt': 'not a store' },
  });
  await t.rejects(openStore(join(dir, 'newer')), {
    code: 'corrupt',
    message: /uses store format version 7, this dvol reads version 1/,
    hint: /upgrade dvol/,
  });
  await t.rejects(openStore(join(dir, 'other')), {
    code: 'corrupt',
    message: /does not describe a dvol store/,
  });
  await t.rejects(openStore(join(dir, 'full')), {
    code: 'corrupt',
    message: /not empty and has no format\.json/,
  });
  t.same(await readdir(join(dir, 'newer')), ['format.json'], 'a refused open releases its lock');
});

t.test('volumes work concurrently; one volume is serialized', async (t) => {
  const store = await openTestStore(t);
  await store.createVolume('a');
  await store.createVolume('b');
  const a = store.volume('a');
  const b = store.volume('b');
  // Four commits of 16 MiB queue on a; b's one small commit must not wait for all of them (the
  // filesystem may still make it wait for one of a's fsyncs, so only the end of the queue is compared).
  await writeFile(join(await a.dataPath(), 'big'), Buffer.alloc(16 << 20, 1));
  const order: string[] = [];
  const queued = [1, 2, 3, 4].map((i) =>
    a.commit({ message: `c${i}`, author: AUTHOR }).then(() => order.push(`a${i}`)),
  );
  const small = commitFile(b, 'f', 'x').then(() => order.push('b'));
  await Promise.all([...queued, small]);
  t.same(
    order.filter((x) => x !== 'b'),
    ['a1', 'a2', 'a3', 'a4'],
    "a's operations ran in call order",
  );
  t.ok(order.indexOf('b') < 3, `b did not wait for a's queue (${order.join(' ')})`);
  t.equal((await a.log()).length, 4);
  await assertClean(t, store);
});

t.test('leftovers of interrupted work are removed on open', async (t) => {
  const root = join(t.testdir(), 'state');
  let store = await openStore(root, { defaultDriver: 'plain' });
  await store.createVolume('db');
  const vol = store.volume('db');
  const kept = await commitFile(vol, 'f', 'one');
  await store.close();
  // What crashes leave: a half-created volume, temp files, a trashed volume, a temp dir.
  await mkdir(join(root, 'volumes', 'half', 'data'), { recursive: true });
  await writeFile(join(root, 'volumes', 'db', '.tmp-volume.json-1234'), '{');
  await writeFile(join(root, 'volumes', 'db', 'commits', '.tmp-x.json-1234'), '{');
  await mkdir(join(root, 'trash', 'old.abcd', 'data'), { recursive: true });
  await writeFile(join(root, 'tmp', 'junk'), '');
  store = await openStore(root, { defaultDriver: 'plain' });
  t.teardown(() => store.close());
  t.same(await readdir(join(root, 'volumes')), ['db']);
  t.same(await readdir(join(root, 'trash')), []);
  t.same(await readdir(join(root, 'tmp')), []);
  t.same(await readdir(join(root, 'volumes', 'db', 'commits')), [`${kept}.json`]);
  t.notOk((await readdir(join(root, 'volumes', 'db'))).some((n) => n.startsWith('.tmp-')));
  await assertClean(t, store);
});

t.test('a damaged volume does not keep the store from opening; fsck names it', async (t) => {
  const root = join(t.testdir(), 'state');
  let store = await openStore(root, { defaultDriver: 'plain' });
  await store.createVolume('good');
  await store.createVolume('bad');
  await store.close();
  await writeFile(join(root, 'volumes', 'bad', 'volume.json'), '{"truncated":');
  store = await openStore(root, { defaultDriver: 'plain' });
  t.teardown(() => store.close());
  t.match(await store.fsck(), [
    {
      volume: 'bad',
      kind: 'recovery-failed',
      message: /recovering volume 'bad' on open failed: .*not valid JSON/,
    },
    { volume: 'bad', kind: 'unreadable', message: /volume\.json is not valid JSON/ },
  ]);
  await t.rejects(store.volume('bad').info(), { code: 'corrupt' });
  t.same(
    (await store.listVolumes()).map((v) => v.name),
    ['good'],
    'listing leaves the damaged volume out',
  );
  await commitFile(store.volume('good'), 'f', 'still works');
});

t.test('removing a volume with branches, commits and tags leaves nothing behind', async (t) => {
  const store = await openTestStore(t);
  await store.createVolume('db');
  const vol = store.volume('db');
  await commitFile(vol, 'f', '1');
  await vol.createTag('v1');
  await vol.createBranch('b');
  await commitFile(vol, 'f', '2');
  await store.removeVolume('db');
  t.same(await readdir(join(store.root, 'volumes')), []);
  await store.idle();
  t.same(await readdir(join(store.root, 'trash')), []);
  await t.rejects(vol.log(), { code: 'not_found', message: "volume 'db' does not exist" });
  await store.createVolume('db');
  t.same(await store.volume('db').log(), [], 'the name can be used again, from scratch');
  await assertClean(t, store);
});

t.test('mounts, Get and Path are not held up by a running operation', async (t) => {
  const store = await openTestStore(t);
  await store.createVolume('a');
  const a = store.volume('a');
  await writeFile(join(await a.dataPath(), 'big'), Buffer.alloc(16 << 20, 1));
  const order: string[] = [];
  const queued = [1, 2, 3].map((i) =>
    a.commit({ message: `c${i}`, author: AUTHOR }).then(() => order.push(`c${i}`)),
  );
  const mount = store.mounts.acquire('a', 'm1').then(() => order.push('mount'));
  const get = store.getVolume('a').then(() => order.push('get'));
  const path = a.dataPath().then(() => order.push('path'));
  await Promise.all([...queued, mount, get, path]);
  t.ok(
    order.indexOf('mount') < order.indexOf('c2'),
    `the mount did not queue behind the commits (${order.join(' ')})`,
  );
  t.ok(order.indexOf('get') < order.indexOf('c2'), `Docker's Get did not either (${order.join(' ')})`);
  t.ok(order.indexOf('path') < order.indexOf('c2'), `nor did Docker's Path (${order.join(' ')})`);
  await store.mounts.release('a', 'm1');
});
