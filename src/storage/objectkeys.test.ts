// Names that are also Object.prototype's keys, as branches, tags and volumes through the storage API,
// with a restart afterwards: each must behave exactly like any other name.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { openStore } from './store.js';
import { AUTHOR, assertClean, commitFile, openTestStore, storeWithVolume } from './store.testkit.js';

/** Valid names that an `in` or `obj[name]` look-up on a plain object finds on Object.prototype. */
const PROTO_NAMES = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf'];
/** Inherited keys that are not valid names: refused as invalid, never looked up. */
const INVALID_PROTO_NAMES = ['__proto__', '__defineGetter__'];

for (const name of PROTO_NAMES) {
  t.test(`'${name}' as a branch and a tag, then a restart`, async (t) => {
    const root = join(t.testdir(), 'state');
    const store = await openStore(root, { defaultDriver: 'plain' });
    await store.createVolume('vol');
    const vol = store.volume('vol');
    await t.rejects(vol.checkout(name), {
      code: 'not_found',
      message: `branch '${name}' does not exist in volume 'vol'`,
    });
    await t.rejects(vol.deleteBranch(name), { code: 'not_found' });
    await t.rejects(vol.deleteTag(name), {
      code: 'not_found',
      message: `tag '${name}' does not exist in volume 'vol'`,
    });
    const base = await commitFile(vol, 'f', 'base');
    await t.rejects(vol.resolve(name), {
      code: 'not_found',
      message: `no branch, tag or commit '${name}' in volume 'vol'`,
    });
    t.match(await vol.info(), { activeBranch: 'master' }, 'a refused checkout changes nothing');

    t.same(await vol.createBranch(name), { name, head: base, active: true });
    const tip = await commitFile(vol, 'f', 'on the branch');
    t.same((await vol.status()).head?.id, tip);
    t.same(await vol.createTag(name, 'HEAD^'), { name, commit: base, date: (await vol.tags())[0]!.date });
    await t.rejects(vol.createTag(name), { code: 'exists' });
    await t.rejects(vol.createBranch(name), { code: 'exists' });
    t.equal((await vol.resolve(name)).id, tip, 'the branch wins over the tag of the same name');
    t.equal((await vol.resolve(`${name}~1`)).id, base);
    await vol.checkout('master');
    t.same(await vol.checkout(name), { name, head: tip, active: true });
    await vol.checkout('master');
    await assertClean(t, store, `with branch and tag '${name}'`);
    await store.close();

    const again = await openStore(root, { defaultDriver: 'plain' });
    t.teardown(() => again.close());
    await assertClean(t, again, 'after a restart');
    const v = again.volume('vol');
    t.same((await v.branches()).map((b) => b.name).sort(), [name, 'master'].sort());
    t.same(await v.checkout(name), { name, head: tip, active: true });
    t.equal(await readFile(join(await v.dataPath(), 'f'), 'utf8'), 'on the branch');
    await v.checkout('master');
    await v.deleteTag(name);
    t.same(await v.tags(), []);
    await v.deleteBranch(name, { force: true });
    t.same(
      (await v.branches()).map((b) => b.name),
      ['master'],
    );
    await assertClean(t, again, 'after deleting them');
  });
}

for (const name of INVALID_PROTO_NAMES) {
  t.test(`'${name}' is refused as a name everywhere`, async (t) => {
    const { store, vol } = await storeWithVolume(t);
    await commitFile(vol, 'f', 'base');
    for (const call of [
      () => vol.checkout(name),
      () => vol.createBranch(name),
      () => vol.deleteBranch(name),
      () => vol.createTag(name),
      () => vol.deleteTag(name),
      () => store.createVolume(name),
    ]) {
      await t.rejects(
        call().then(() => undefined),
        { code: 'invalid', message: new RegExp(`^invalid (branch|tag|volume) name`) },
      );
    }
    await t.rejects(vol.resolve(name), { code: 'not_found' });
    t.match(await vol.info(), { activeBranch: 'master', branchCount: 1 });
    await assertClean(t, store);
  });
}

for (const name of PROTO_NAMES) {
  t.test(`'${name}' as a volume name, then a restart`, async (t) => {
    const root = join(t.testdir(), 'state');
    const store = await openStore(root, { defaultDriver: 'plain' });
    t.equal(await store.getVolume(name), undefined);
    t.throws(() => store.volume(name), { code: 'not_found' });
    await t.rejects(store.removeVolume(name), { code: 'not_found' });
    await store.createVolume(name);
    const vol = store.volume(name);
    const id = await commitFile(vol, 'f', 'data');
    await vol.createBranch('side');
    t.match(await store.getVolume(name), { name, head: id, activeBranch: 'side' });
    t.same(
      (await store.listVolumes()).map((v) => v.name),
      [name],
    );
    await assertClean(t, store);
    await store.close();

    const again = await openStore(root, { defaultDriver: 'plain' });
    t.teardown(() => again.close());
    await assertClean(t, again, 'after a restart');
    t.match(await again.getVolume(name), { name, head: id, activeBranch: 'side' });
    await again.removeVolume(name);
    t.same(await again.listVolumes(), []);
  });
}

t.test(
  'fsck reports an active branch that is only an inherited key (what the old checkout wrote)',
  async (t) => {
    const store = await openTestStore(t);
    await store.createVolume('vol');
    const vol = store.volume('vol');
    await commitFile(vol, 'f', 'base');
    const file = join(store.root, 'volumes', 'vol', 'volume.json');
    for (const name of ['constructor', 'toString', '__proto__']) {
      const record = JSON.parse(await readFile(file, 'utf8')) as { activeBranch: string };
      await writeFile(file, JSON.stringify({ ...record, activeBranch: name }));
      t.match(
        await store.fsck(),
        [{ volume: 'vol', kind: 'active-branch-missing', message: new RegExp(`'${name}' is not a branch`) }],
        `active branch '${name}'`,
      );
    }
    const record = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(
      file,
      JSON.stringify({ ...record, activeBranch: 'master', branches: { master: null, 'a/b': null } }),
    );
    t.match(await store.fsck(), [{ kind: 'bad-ref-name', message: /branch 'a\/b'/ }]);
    await writeFile(file, JSON.stringify({ ...record, activeBranch: 'toString' }));
    await store.close();

    const again = await openStore(store.root, { defaultDriver: 'plain' });
    t.teardown(() => again.close());
    t.match(
      await again.volume('vol').info(),
      { activeBranch: 'master' },
      'recovery falls back to a real branch',
    );
    await assertClean(t, again, 'after recovery');
    t.equal((await again.volume('vol').log()).length, 1);
    await again.volume('vol').commit({ message: 'works', author: AUTHOR });
  },
);
