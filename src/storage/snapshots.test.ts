// Scheduled snapshots on a real store (plain driver): they move no branch, resolve as refs, are
// skipped when nothing changed, and retention deletes only them, never what a user's ref keeps.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import type { Volume } from './model.js';
import { openStore } from './store.js';
import { AUTHOR, assertClean, commitFile, put, storeWithVolume } from './store.testkit.js';

const SCHEDULER = 'dvol scheduler <scheduler@dvol>';
const T0 = Date.UTC(2026, 10, 30);
const M = 60_000;

/** Takes a snapshot dated `at`, as the scheduler does. */
function snap(vol: Volume, at: number) {
  return vol.snapshot({ message: `scheduled snapshot (every 1m)`, author: SCHEDULER, date: new Date(at) });
}

t.test('a snapshot hangs off HEAD and moves no branch', async (t) => {
  const { store, vol } = await storeWithVolume(t);
  const head = await commitFile(vol, 'f', 'one');
  await put(vol, 'f', 'two');
  t.equal(await vol.snapshotNeeded(), true);
  const s = await snap(vol, T0);
  t.match(s, { parent: head, author: SCHEDULER, scheduled: true, date: new Date(T0).toISOString() });
  t.equal((await vol.info()).head, head, 'the branch still points at the user commit');
  t.match(await vol.status(), { head: { id: head }, dirty: true }, 'status compares with HEAD');
  t.same(
    (await vol.log()).map((c) => c.id),
    [head],
    'log shows the user history only',
  );
  t.same(await vol.snapshots(), [{ commit: s, branch: 'master', kept: false }]);
  t.equal((await vol.resolve(s.id.slice(0, 8))).id, s.id, 'an id prefix resolves');
  await assertClean(t, store, 'after a snapshot');

  await vol.reset('HEAD', { hard: true });
  t.equal(
    await readFile(join(await vol.dataPath(), 'f'), 'utf8'),
    'one',
    'reset --hard HEAD is the user commit',
  );
  t.equal((await vol.snapshots()).length, 1, 'the snapshot survives a reset of the branch');
  await vol.reset(s.id, { hard: true });
  t.equal(await readFile(join(await vol.dataPath(), 'f'), 'utf8'), 'two', 'reset to the snapshot');
  t.match(await vol.snapshots(), [{ kept: true }], 'a snapshot that is a branch tip is kept');
  await assertClean(t, store, 'after a reset to a snapshot');
});

t.test('skipped when the data equals the latest snapshot or HEAD', async (t) => {
  const { vol } = await storeWithVolume(t);
  t.equal(await vol.snapshotNeeded(), false, 'empty branch, no commit: nothing to keep');
  await put(vol, 'f', 'one');
  t.equal(await vol.snapshotNeeded(), true, 'new data before any commit');
  const s0 = await snap(vol, T0);
  t.equal(s0.parent, null);
  t.equal(await vol.snapshotNeeded(), false, 'equal to the latest snapshot');
  await vol.commit({ message: 'mine', author: AUTHOR });
  t.equal(await vol.snapshotNeeded(), false, 'equal to the new HEAD');
  await put(vol, 'f', 'two');
  t.equal(await vol.snapshotNeeded(), true);
  await snap(vol, T0 + M);
  t.equal(await vol.snapshotNeeded(), false);
  await put(vol, 'f', 'three');
  t.equal(await vol.snapshotNeeded(), true, 'a change after the snapshot');
});

t.test('tags and diffs reach snapshots by id', async (t) => {
  const { store, vol } = await storeWithVolume(t);
  await commitFile(vol, 'f', 'one');
  await put(vol, 'f', 'two');
  const s = await snap(vol, T0);
  const diff = await vol.diff('HEAD', s.id);
  const paths: string[] = [];
  for await (const e of diff.entries) paths.push(e.path.toString());
  t.same(paths, ['f'], 'diff HEAD SNAPSHOT');
  await vol.createTag('keep', s.id);
  t.match(await vol.snapshots(), [{ kept: true }], 'a tagged snapshot is kept');
  await vol.pruneSnapshots({ rules: [], keepLast: 0 }, T0);
  await vol.pruneSnapshots({ rules: [{ windowMs: M, everyMs: M }], keepLast: 0 }, T0 + 1000 * M);
  t.equal((await vol.resolve('keep')).id, s.id, 'retention left the tagged snapshot');
  await assertClean(t, store);
});

t.test('retention deletes only scheduled snapshots: never user commits, tags, tips or bases', async (t) => {
  const { store, vol } = await storeWithVolume(t);
  const user1 = await commitFile(vol, 'f', 'u1');
  const snaps: string[] = [];
  for (let i = 0; i < 4; i++) {
    await put(vol, 'f', `s${i}`);
    snaps.push((await snap(vol, T0 + i * M)).id);
  }
  // A branch made from snapshot 1: reset to it, commit on top, then go back with a new branch.
  await vol.reset(snaps[1]!, { hard: true });
  const user2 = await commitFile(vol, 'f', 'u2');
  await vol.createTag('v1', user1);
  const removed = await vol.pruneSnapshots({ rules: [], keepLast: 1 }, T0 + 10 * M);
  const gone = new Set(removed.map((c) => c.id));
  t.same([...gone].sort(), [snaps[0], snaps[2]].sort(), 'the two unprotected, not the newest');
  t.same(
    (await vol.snapshots()).map((s) => s.commit.id),
    [snaps[3], snaps[1]],
    'newest first: the kept-last one and the branch base',
  );
  t.same(
    (await vol.log()).map((c) => c.id),
    [user2, snaps[1], user1],
    'the user history is whole',
  );
  await assertClean(t, store, 'after pruning');
});

t.test('retention is per branch, and deleting a branch deletes its snapshots', async (t) => {
  const { store, vol } = await storeWithVolume(t);
  await commitFile(vol, 'f', 'one');
  await vol.createBranch('side');
  await put(vol, 'f', 'side');
  const side = await snap(vol, T0);
  await vol.reset('HEAD', { hard: true });
  await vol.checkout('master');
  await put(vol, 'f', 'm1');
  await snap(vol, T0 + M);
  await put(vol, 'f', 'm2');
  const m2 = await snap(vol, T0 + 2 * M);
  await vol.pruneSnapshots({ rules: [], keepLast: 1 }, T0 + 3 * M);
  t.same(
    (await vol.snapshots()).map((s) => [s.branch, s.commit.id]),
    [
      ['master', m2.id],
      ['side', side.id],
    ],
    'keep-last 1 keeps one of each branch',
  );
  t.same((await vol.snapshots('side')).length, 1);
  await vol.deleteBranch('side');
  t.same(
    (await vol.snapshots()).map((s) => s.commit.id),
    [m2.id],
  );
  await assertClean(t, store, 'after deleting the branch');
});

t.test('a snapshot of history reset away keeps it until the snapshot is pruned', async (t) => {
  const { store, vol } = await storeWithVolume(t);
  const base = await commitFile(vol, 'f', 'one');
  const old = await commitFile(vol, 'f', 'two');
  await put(vol, 'f', 'three');
  await snap(vol, T0);
  const { removed } = await vol.reset(base, { hard: true });
  t.same(removed, [], 'the snapshot still reaches the old commit');
  t.equal((await vol.resolve(old)).id, old);
  const pruned = await vol.pruneSnapshots({ rules: [], keepLast: 0 }, T0);
  t.same(pruned, [], 'keep nothing at all is no policy: nothing is deleted');
  const gone = await vol.pruneSnapshots({ rules: [{ windowMs: M, everyMs: M }], keepLast: 0 }, T0 + 5 * M);
  t.equal(gone.length, 2, 'the snapshot and the commit only it reached');
  await t.rejects(vol.resolve(old), { code: 'not_found' });
  await assertClean(t, store);
});

t.test('snapshots survive reopening the store', async (t) => {
  const root = join(t.testdir(), 'state');
  let store = await openStore(root, { defaultDriver: 'plain' });
  await store.createVolume('vol');
  await put(store.volume('vol'), 'f', 'one');
  const s = await snap(store.volume('vol'), T0);
  await store.close();
  store = await openStore(root, { defaultDriver: 'plain' });
  t.teardown(() => store.close());
  t.same(
    (await store.volume('vol').snapshots()).map((x) => x.commit.id),
    [s.id],
    'recovery keeps what a snapshot ref reaches',
  );
  await assertClean(t, store);
});
