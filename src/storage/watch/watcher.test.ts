// The watcher on real directories: the seed's own steps, nested directories, coalescing, renames,
// and entries a hostile container could plant.
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { FileEvent } from './events.js';

type Fixture = Parameters<Test['testdir']>[0];
import { watchData, watchError } from './watcher.js';

async function watched(t: Test, files: Fixture = {}) {
  const root = t.testdir(files);
  const events: FileEvent[] = [];
  const w = await watchData(root, (evs) => void events.push(...evs), { settleMs: 50, maxDelayMs: 500 });
  t.teardown(() => w.close());
  /** Waits until `pred` holds for the events so far (inotify delivers asynchronously). */
  const until = async (what: string, pred: (evs: FileEvent[]) => boolean, ms = 3000) => {
    const end = Date.now() + ms;
    while (!pred(events)) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(events)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const take = () => events.splice(0, events.length);
  return { root, events, until, take, w };
}

const has = (type: string, path: string) => (evs: FileEvent[]) =>
  evs.some((e) => e.type === type && e.path === path);

t.test("the seed's script: create, rm, mv, overwrite", async (t) => {
  const { root, until, take } = await watched(t);
  writeFileSync(join(root, 'key1'), 'value1\n');
  await until('key1 created', has('created', 'key1'));
  writeFileSync(join(root, 'key2'), 'value2\n');
  await until('key2 created', has('created', 'key2'));
  take();
  rmSync(join(root, 'key1'));
  await until('key1 deleted', has('deleted', 'key1'));
  t.same(take(), [{ type: 'deleted', path: 'key1', kind: 'file' }]);
  renameSync(join(root, 'key2'), join(root, 'new_key'));
  await until('rename', has('renamed', 'new_key'));
  t.same(take(), [{ type: 'renamed', from: 'key2', path: 'new_key', kind: 'file' }], 'a move is one rename');
  writeFileSync(join(root, 'new_key'), 'hi\n');
  await until('overwrite', has('modified', 'new_key'));
  t.same(take(), [{ type: 'modified', path: 'new_key', kind: 'file' }]);
});

t.test('a burst of writes to one file is one event after it settles', async (t) => {
  const { root, until, take } = await watched(t, { log: '' });
  for (let i = 0; i < 200; i++) appendFileSync(join(root, 'log'), `line ${i}\n`);
  await until('modified', has('modified', 'log'));
  await new Promise((r) => setTimeout(r, 200));
  t.same(take(), [{ type: 'modified', path: 'log', kind: 'file' }]);
});

t.test('nested directories made at once are reported whole', async (t) => {
  const { root, until, take } = await watched(t);
  mkdirSync(join(root, 'a/b/c'), { recursive: true });
  writeFileSync(join(root, 'a/b/c/f'), 'x');
  writeFileSync(join(root, 'a/b/g'), 'y');
  await until('a/b/c/f', has('created', 'a/b/c/f'));
  await until('a/b/g', has('created', 'a/b/g'));
  const evs = take();
  t.same(evs.map((e) => e.path).sort(), ['a', 'a/b', 'a/b/c', 'a/b/c/f', 'a/b/g'], 'every new entry once');
  // Written into a directory the watcher learnt of late: still seen.
  writeFileSync(join(root, 'a/b/c/h'), 'z');
  await until('a/b/c/h', has('created', 'a/b/c/h'));
});

t.test('a moved directory is one rename; deleting it afterwards uses its new name', async (t) => {
  const { root, until, take } = await watched(t, { a: { b: { f: 'x' } } });
  renameSync(join(root, 'a'), join(root, 'z'));
  await until('rename', has('renamed', 'z'));
  t.same(take(), [{ type: 'renamed', from: 'a', path: 'z', kind: 'dir' }]);
  writeFileSync(join(root, 'z/b/f'), 'changed');
  await until('z/b/f modified', has('modified', 'z/b/f'));
  take();
  rmSync(join(root, 'z'), { recursive: true });
  await until('z deleted', has('deleted', 'z'));
  t.same(take(), [{ type: 'deleted', path: 'z', kind: 'dir' }], 'one event for the tree, under its new name');
});

t.test('a FIFO and a symlink to a host file are reported, never opened', async (t) => {
  const { root, until, take } = await watched(t);
  execFileSync('mkfifo', [join(root, 'pipe')]);
  symlinkSync('/etc/shadow', join(root, 'link'));
  await until('pipe', has('created', 'pipe'));
  await until('link', has('created', 'link'));
  t.same(
    take().sort((a, b) => a.path.localeCompare(b.path)),
    [
      { type: 'created', path: 'link', kind: 'symlink' },
      { type: 'created', path: 'pipe', kind: 'other' },
    ],
  );
});

t.test('a file replaced by a new one of the same name (an atomic save) is a modification', async (t) => {
  const { root, until, take } = await watched(t, { f: 'old' });
  writeFileSync(join(root, 'f.tmp'), 'new content');
  renameSync(join(root, 'f.tmp'), join(root, 'f'));
  await until('f', (evs) => evs.some((e) => e.path === 'f'));
  await new Promise((r) => setTimeout(r, 150));
  const evs = take();
  t.same(evs, [{ type: 'modified', path: 'f', kind: 'file' }]);
});

t.test('the inotify limit becomes one sentence with the fix', async (t) => {
  const err = watchError('/data', new Error('inotify_add_watch on /data/x failed: No space left on device'));
  t.equal(err.code, 'no_space');
  t.match(err.message, /inotify watch limit/);
  t.match(err.hint, /max_user_watches/);
});

t.test('a directory that does not exist cannot be watched', async (t) => {
  await t.rejects(
    watchData('/nonexistent/dvol-watch', () => undefined),
    { name: 'DvolError' },
  );
});
