import { readFile, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { AUTHOR, assertClean, commitFile, put, storeWithVolume } from './store.testkit.js';

t.test('commit and log: newest first, parents linked, metadata kept', async (t) => {
  const { store, vol } = await storeWithVolume(t);
  t.same(await vol.log(), [], 'no commits yet');
  t.match(await vol.status(), { volume: 'vol', branch: 'master', head: null, dirty: false });
  await put(vol, 'f', 'one');
  t.equal((await vol.status()).dirty, true);
  const first = await vol.commit({ message: 'import base schema', author: AUTHOR });
  t.match(first, { id: /^[0-9a-f]{40}$/, parent: null, message: 'import base schema', author: AUTHOR });
  t.equal(new Date(first.date).toISOString(), first.date, 'RFC 3339 UTC');
  t.equal((await vol.status()).dirty, false);
  await assertClean(t, store, 'after the first commit');
  const second = await commitFile(vol, 'f', 'two', 'multi\nline message');
  const log = await vol.log();
  t.same(
    log.map((c) => c.id),
    [second, first.id],
  );
  t.equal(log[0]!.parent, first.id);
  t.equal(log[0]!.message, 'multi\nline message');
  t.match(await vol.status(), { head: { id: second }, dirty: false });
  t.equal((await vol.info()).head, second);
  await assertClean(t, store, 'after the second commit');
});

t.test('commit refuses a bad message or author', async (t) => {
  const { store, vol } = await storeWithVolume(t);
  await t.rejects(vol.commit({ message: ' ', author: AUTHOR }), {
    code: 'invalid',
    message: /message is empty/,
  });
  await t.rejects(vol.commit({ message: 'm', author: 'nobody' }), {
    code: 'invalid',
    message: /Name <email>/,
  });
  t.same(await vol.log(), []);
  await assertClean(t, store);
});

t.test('uncommitted changes: content, deletion, mode, symlink target', async (t) => {
  const { vol } = await storeWithVolume(t);
  const dir = await vol.dataPath();
  await put(vol, 'f', 'abc');
  await symlink('f', join(dir, 'link'));
  await vol.commit({ message: 'base', author: AUTHOR });
  t.equal((await vol.status()).dirty, false);
  const { chmod, utimes, stat } = await import('node:fs/promises');
  const before = await stat(join(dir, 'f'));
  await put(vol, 'f', 'abd');
  await utimes(join(dir, 'f'), before.atime, before.mtime);
  t.equal((await vol.status()).dirty, true, 'a same-size edit with the mtime restored is seen');
  await vol.reset('HEAD', { hard: true });
  t.equal(await readFile(join(dir, 'f'), 'utf8'), 'abc');
  await chmod(join(dir, 'f'), 0o600);
  t.equal((await vol.status()).dirty, true, 'a mode change is seen');
  await vol.reset('HEAD', { hard: true });
  await rm(join(dir, 'link'));
  await symlink('g', join(dir, 'link'));
  t.equal((await vol.status()).dirty, true, 'a symlink target change is seen');
  await vol.reset('HEAD', { hard: true });
  await rm(join(dir, 'f'));
  t.equal((await vol.status()).dirty, true, 'a deletion is seen');
});

t.test('refs: HEAD, ^, ~N, branches over tags over ids, prefixes', async (t) => {
  const { store, vol } = await storeWithVolume(t);
  const c1 = await commitFile(vol, 'f', '1');
  const c2 = await commitFile(vol, 'f', '2');
  const c3 = await commitFile(vol, 'f', '3');
  const id = async (ref: string) => (await vol.resolve(ref)).id;
  t.equal(await id('HEAD'), c3);
  t.equal(await id('HEAD^'), c2);
  t.equal(await id('HEAD^^'), c1);
  t.equal(await id('HEAD~2'), c1);
  t.equal(await id('HEAD~'), c2);
  t.equal(await id('HEAD~0'), c3);
  t.equal(await id('master~1^'), c1);
  t.equal(await id(c2), c2);
  t.equal(await id(c2.slice(0, 8)), c2);
  t.equal(await id(c2.slice(0, 8).toUpperCase()), c2);
  await vol.createTag('v1', 'HEAD~2');
  t.equal(await id('v1'), c1);
  await t.rejects(vol.resolve('HEAD~3'), {
    code: 'not_found',
    message: /past the first commit \(HEAD has 2 ancestors\)/,
  });
  await t.rejects(vol.resolve('v1^'), { code: 'not_found', message: /past the first commit/ });
  await t.rejects(vol.resolve('abc'), { code: 'invalid', message: /too short/ });
  await t.rejects(vol.resolve('nothing'), {
    code: 'not_found',
    message: /no branch, tag or commit 'nothing'/,
  });
  await t.rejects(vol.resolve(c1.startsWith('ffff') ? 'eeee' : 'ffff'), {
    code: 'not_found',
    message: /no commit/,
  });
  await t.rejects(vol.resolve(''), { code: 'invalid' });
  // A tag named like a branch loses to the branch, as in git.
  await vol.createTag('master', 'HEAD~2');
  t.equal(await id('master'), c3);
  t.same(
    (await vol.log('HEAD^')).map((c) => c.id),
    [c2, c1],
  );
  await assertClean(t, store);
});

t.test('tags: create, list, refuse duplicates, delete collects what only they kept', async (t) => {
  const { store, vol } = await storeWithVolume(t);
  await t.rejects(vol.createTag('early'), { code: 'not_found', message: /no commits yet/ });
  const c1 = await commitFile(vol, 'f', '1');
  const c2 = await commitFile(vol, 'f', '2');
  const tag = await vol.createTag('base', c1.slice(0, 6));
  t.match(tag, { name: 'base', commit: c1 });
  t.match(await vol.createTag('tip'), { commit: c2 });
  t.same(
    (await vol.tags()).map((x) => x.name),
    ['base', 'tip'],
  );
  await t.rejects(vol.createTag('base'), { code: 'exists' });
  await t.rejects(vol.createTag('HEAD'), { code: 'invalid' });
  await t.rejects(vol.deleteTag('none'), { code: 'not_found' });
  // Reset past the tagged commit: the tag keeps c2 alive.
  const reset = await vol.reset('HEAD^', { hard: true });
  t.same(reset.removed, [], 'tagged commits are not lost');
  await assertClean(t, store, 'after reset with a tag');
  await vol.deleteTag('tip');
  await t.rejects(vol.resolve(c2), { code: 'not_found' }, 'c2 is collected with the tag gone');
  t.same(
    (await vol.tags()).map((x) => x.name),
    ['base'],
  );
  await assertClean(t, store, 'after deleting the tag');
});

t.test('deleting commit data', async (t) => {
  const { store, vol } = await storeWithVolume(t);
  const c1 = await commitFile(vol, 'f', '1');
  const c2 = await commitFile(vol, 'f', '2');
  const c3 = await commitFile(vol, 'f', '3');
  await t.rejects(vol.deleteCommitData('HEAD'), { code: 'conflict', message: /tip of branch 'master'/ });
  await vol.createTag('keep', c1);
  await t.rejects(vol.deleteCommitData(c1), { code: 'conflict', message: /tagged 'keep'/ });
  const deleted = await vol.deleteCommitData('HEAD^');
  t.match(deleted, { id: c2, dataDeleted: true });
  t.same(await vol.deleteCommitData(c2), deleted, 'again: no-op');
  t.same(
    (await vol.log()).map((c) => [c.id, c.dataDeleted ?? false]),
    [
      [c3, false],
      [c2, true],
      [c1, false],
    ],
    'the log stays coherent',
  );
  await assertClean(t, store, 'after deleting data');
  await t.rejects(vol.reset(c2, { hard: true }), { code: 'not_found', message: /has no data/ });
  const back = await vol.reset(c1, { hard: true });
  t.same(
    back.removed.map((c) => c.id),
    [c3, c2],
  );
  t.equal(await readFile(join(await vol.dataPath(), 'f'), 'utf8'), '1');
  await assertClean(t, store, 'after reset over deleted data');
});
