// fsck finds each kind of damage, named precisely; reopening repairs what a crash could have left.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { getDriverFactory } from './drivers/index.js';
import type { Store } from './model.js';
import { openStore } from './store.js';
import { commitFile } from './store.testkit.js';

const ID = (c: string) => c.repeat(40);

/** A closed store with volume 'vol': commits c1 <- c2 on master, branch 'side' at c2. */
async function damagedStore(t: Test) {
  const root = join(t.testdir(), 'state');
  const store = await openStore(root, { defaultDriver: 'plain' });
  await store.createVolume('vol');
  const vol = store.volume('vol');
  const c1 = await commitFile(vol, 'f', '1');
  const c2 = await commitFile(vol, 'f', '2');
  await vol.createBranch('side');
  await vol.checkout('master');
  await store.close();
  const dir = join(root, 'volumes', 'vol');
  const driver = getDriverFactory('plain').open({ root: join(dir, 'data'), options: {} });
  const record = (id: string) => join(dir, 'commits', `${id}.json`);
  const json = async (p: string) => JSON.parse(await readFile(p, 'utf8')) as Record<string, unknown>;
  return { root, dir, driver, record, json, c1, c2 };
}

const kinds = async (store: Store) => (await store.fsck()).map((p) => `${p.kind}: ${p.message}`).sort();

t.test('each invariant is checked and reported with the objects involved', async (t) => {
  const { root, dir, driver, record, json, c1, c2 } = await damagedStore(t);
  const store = await openStore(root, { defaultDriver: 'plain' });
  t.teardown(() => store.close());
  t.same(await store.fsck(), []);

  // Damage made behind the store's back, while it is open (so recovery cannot step in).
  await rm(driver.commitPath(c1), { recursive: true });
  await writeFile(
    record(ID('a')),
    JSON.stringify({ ...(await json(record(c1))), id: ID('a'), parent: ID('b') }),
  );
  await writeFile(record(ID('c')), JSON.stringify({ ...(await json(record(c1))), id: ID('d') }));
  await rm(driver.branchPath('side'), { recursive: true });
  await mkdir(driver.branchPath('stray'));
  await writeFile(join(dir, 'journal.json'), JSON.stringify({ op: 'reset', branch: 'master', commit: c1 }));
  await writeFile(record(c2), JSON.stringify({ ...(await json(record(c2))), dataDeleted: true }));
  await store.mounts.acquire('ghost', 'm1');

  t.same(
    await kinds(store),
    [
      `bad-commit-id: the record of commit ${ID('c')} names itself ${ID('d')}`,
      `bad-parent: commit ${ID('a')} names parent ${ID('b')}, which has no record`,
      `branch-missing-data: branch 'side' has no data`,
      `commit-missing-data: commit ${ID('a')} has no data`,
      `commit-missing-data: commit ${ID('c')} has no data`,
      `commit-missing-data: commit ${c1} has no data`,
      `interrupted-reset: ${join(dir, 'journal.json')} remains from an interrupted reset; reopen the store to finish it`,
      `mount-unknown-volume: the mount table holds mounts of volume 'ghost', which does not exist`,
      `orphan-branch-data: data of branch 'stray' exists without a ref`,
      `orphan-commit: commit ${ID('a')} is not reachable from any branch or tag`,
      `orphan-commit: commit ${ID('c')} is not reachable from any branch or tag`,
      `orphan-data: data of commit ${c2} exists but it is marked deleted`,
      `ref-deleted-data: branch 'master' points at commit ${c2}, whose data was deleted`,
      `ref-deleted-data: branch 'side' points at commit ${c2}, whose data was deleted`,
    ].sort(),
  );
  t.ok((await store.fsck()).every((p) => p.volume === 'vol' || p.volume === 'ghost'));
});

t.test('refs to missing commits, a missing active branch, a missing volume.json', async (t) => {
  const { root, dir, record, json, c1, c2 } = await damagedStore(t);
  const store = await openStore(root, { defaultDriver: 'plain' });
  t.teardown(() => store.close());
  await rm(record(c2));
  const volume = await json(join(dir, 'volume.json'));
  await writeFile(join(dir, 'volume.json'), JSON.stringify({ ...volume, activeBranch: 'gone' }));
  await mkdir(join(root, 'volumes', 'empty'));
  t.same(
    await kinds(store),
    [
      `active-branch-missing: the active branch 'gone' is not a branch of the volume`,
      `orphan-commit: commit ${c1} is not reachable from any branch or tag`,
      `orphan-data: data of commit ${c2} exists without a commit record`,
      'orphan-volume-dir: volumes/empty has no volume.json',
      `ref-missing-commit: branch 'master' points at commit ${c2}, which has no record`,
      `ref-missing-commit: branch 'side' points at commit ${c2}, which has no record`,
    ].sort(),
  );
});

t.test('reopening repairs crash leftovers and keeps reporting real damage', async (t) => {
  const { root, dir, driver, record, json, c1 } = await damagedStore(t);
  await writeFile(record(ID('e')), JSON.stringify({ ...(await json(record(c1))), id: ID('e') }));
  await mkdir(driver.commitPath(ID('f')));
  await mkdir(driver.branchPath('stray'));
  await rm(driver.branchPath('side'), { recursive: true });
  await rm(driver.commitPath(c1), { recursive: true });
  const store = await openStore(root, { defaultDriver: 'plain' });
  t.teardown(() => store.close());
  t.same(
    await kinds(store),
    [`commit-missing-data: commit ${c1} has no data`],
    'orphans went and side was remade from its head; lost commit data cannot be made up',
  );
  t.equal(await readFile(join(driver.branchPath('side'), 'f'), 'utf8'), '2', 'side has its data again');
  t.notOk(existsSync(join(dir, 'commits', `${ID('e')}.json`)), 'the orphan record went');
});
