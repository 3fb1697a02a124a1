import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { AUTHOR, assertClean, commitFile, put, storeWithVolume } from './store.testkit.js';

const read = async (vol: { dataPath(): Promise<string> }, f = 'f') =>
  readFile(join(await vol.dataPath(), f), 'utf8');

t.test('checkout -b needs a commit and clean data, then inherits the log', async (t) => {
  const { store, vol } = await storeWithVolume(t);
  await t.rejects(vol.createBranch('exp'), {
    code: 'invalid',
    message: "volume 'vol' has no commits yet",
    hint: /commit first with 'dvol commit -m \.\.\.': a branch starts from a commit/,
  });
  const base = await commitFile(vol, 'f', 'base');
  await put(vol, 'f', 'edited');
  await t.rejects(vol.createBranch('exp'), {
    code: 'dirty',
    message: 'Volume vol has uncommitted changes. Please commit these before switching branches.',
  });
  await vol.reset('HEAD', { hard: true });
  const info = await vol.createBranch('exp');
  t.same(info, { name: 'exp', head: base, active: true });
  t.equal(await read(vol), 'base');
  t.match(await vol.info(), { activeBranch: 'exp', head: base, branchCount: 2 });
  await assertClean(t, store, 'after checkout -b');
  const tip = await commitFile(vol, 'f', 'indexes');
  t.same(
    (await vol.log()).map((c) => c.id),
    [tip, base],
    'the inherited commit shows in the log',
  );
  t.same(await vol.branches(), [
    { name: 'exp', head: tip, active: true },
    { name: 'master', head: base, active: false },
  ]);
  await t.rejects(vol.createBranch('exp'), { code: 'exists' });
  await t.rejects(vol.createBranch('HEAD'), { code: 'invalid' });
  await t.rejects(vol.createBranch('a/b'), { code: 'invalid' });
  await assertClean(t, store);
});

t.test('checkout switches data and is refused when dirty, mounted or unknown', async (t) => {
  const { store, vol } = await storeWithVolume(t);
  await commitFile(vol, 'f', 'master');
  await vol.createBranch('exp');
  await commitFile(vol, 'f', 'exp');
  await t.rejects(vol.checkout('nope'), {
    code: 'not_found',
    message: "branch 'nope' does not exist in volume 'vol'",
  });
  await put(vol, 'f', 'dirty');
  await t.rejects(vol.checkout('master'), { code: 'dirty', message: /Volume vol has uncommitted changes/ });
  t.same(
    await vol.checkout('exp'),
    { name: 'exp', head: (await vol.info()).head, active: true },
    'same branch: no-op',
  );
  await vol.reset('HEAD', { hard: true });
  await store.mounts.acquire('vol', 'm1');
  await t.rejects(vol.checkout('master'), { code: 'in_use', message: /mounted \(1 mount\)/ });
  await t.rejects(vol.createBranch('other'), { code: 'in_use' });
  await t.rejects(vol.reset('HEAD', { hard: true }), { code: 'in_use' });
  const whileMounted = await commitFile(vol, 'g', 'commit is allowed while mounted');
  t.equal((await vol.info()).head, whileMounted);
  await store.mounts.release('vol', 'm1');
  await vol.checkout('master');
  t.equal(await read(vol), 'master');
  t.same(await readdir(await vol.dataPath()), ['f']);
  await vol.checkout('exp');
  t.equal(await read(vol), 'exp');
  await assertClean(t, store);
});

t.test('reset --hard drops newer commits nothing else references', async (t) => {
  const { store, vol } = await storeWithVolume(t);
  const c1 = await commitFile(vol, 'f', '1');
  const c2 = await commitFile(vol, 'f', '2');
  const c3 = await commitFile(vol, 'f', '3');
  await put(vol, 'f', 'uncommitted');
  await t.rejects(vol.reset('HEAD~2', { hard: false }), {
    code: 'conflict',
    message: new RegExp(
      `would discard 2 commits \\(${c3.slice(0, 7)}, ${c2.slice(0, 7)}\\) and the uncommitted changes`,
    ),
    hint: /dvol tag NAME .*or pass --hard/,
  });
  await t.rejects(vol.reset('HEAD', { hard: false }), {
    code: 'conflict',
    message: /the uncommitted changes/,
  });
  t.equal(await read(vol), 'uncommitted', 'a refused reset changes nothing');
  const result = await vol.reset('HEAD~2', { hard: true });
  t.equal(result.commit.id, c1);
  t.same(
    result.removed.map((c) => c.id),
    [c3, c2],
    'newest first',
  );
  t.equal(await read(vol), '1');
  t.equal((await vol.status()).dirty, false);
  t.same(
    (await vol.log()).map((c) => c.id),
    [c1],
  );
  await t.rejects(vol.resolve(c3), { code: 'not_found' });
  await assertClean(t, store, 'after reset');
  await t.rejects(vol.reset('HEAD', { hard: false }), {
    code: 'conflict',
    message: /replaces the working data/,
    hint: /--hard/,
  });
});

t.test('reset keeps commits another branch references', async (t) => {
  const { store, vol } = await storeWithVolume(t);
  const c1 = await commitFile(vol, 'f', '1');
  const c2 = await commitFile(vol, 'f', '2');
  await vol.createBranch('exp');
  const e1 = await commitFile(vol, 'f', 'e1');
  await vol.checkout('master');
  const result = await vol.reset(c1, { hard: true });
  t.same(result.removed, [], 'c2 is still on exp');
  await vol.checkout('exp');
  t.same(
    (await vol.log()).map((c) => c.id),
    [e1, c2, c1],
  );
  // Reset exp onto master's head: e1 only, c2 is not lost (nothing but exp had it... but c2 is e1's parent).
  const r2 = await vol.reset('master', { hard: true });
  t.same(
    r2.removed.map((c) => c.id),
    [e1, c2],
  );
  t.equal(await read(vol), '1');
  await assertClean(t, store);
});

t.test('branch -d: refused for the active branch and for unmerged work unless forced', async (t) => {
  const { store, vol } = await storeWithVolume(t);
  const c1 = await commitFile(vol, 'f', '1');
  await vol.createBranch('merged');
  await vol.checkout('master');
  await vol.createBranch('work');
  const w1 = await commitFile(vol, 'f', 'w1');
  await t.rejects(vol.deleteBranch('work'), {
    code: 'conflict',
    message: /branch 'work' is the active branch/,
    hint: /dvol checkout/,
  });
  await vol.checkout('master');
  await t.rejects(vol.deleteBranch('nope'), { code: 'not_found' });
  await t.rejects(vol.deleteBranch('work'), {
    code: 'conflict',
    message: new RegExp(`would delete 1 commit \\(${w1.slice(0, 7)}\\)`),
    hint: /dvol branch -D work/,
  });
  t.same(await vol.deleteBranch('merged'), { removed: [] }, 'nothing lost: no force needed');
  const { removed } = await vol.deleteBranch('work', { force: true });
  t.same(
    removed.map((c) => c.id),
    [w1],
  );
  t.same(
    (await vol.branches()).map((b) => b.name),
    ['master'],
  );
  t.equal((await vol.info()).head, c1);
  await assertClean(t, store, 'after branch -d');
});

t.test('commit message and author reach the log of another branch', async (t) => {
  const { vol } = await storeWithVolume(t);
  await vol.commit({ message: 'import base schema', author: AUTHOR });
  await vol.createBranch('b');
  t.match(await vol.log(), [{ message: 'import base schema', author: AUTHOR }]);
});
