// The whole versioning workflow on every driver, each on the filesystem it needs: plain on the test
// directory, reflink on a loopback xfs, btrfs on a loopback btrfs. fsck runs after every step.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { driverNames, type DriverName } from './drivers/index.js';
import { createLoopFs, loopFsUnavailable, type LoopFsType } from './drivers/loopfs.testkit.js';
import type { Store } from './model.js';
import { openStore } from './store.js';
import { assertClean, commitFile, put } from './store.testkit.js';

const FILESYSTEM: Record<DriverName, LoopFsType | undefined> = {
  plain: undefined,
  reflink: 'xfs',
  btrfs: 'btrfs',
};

async function workflow(t: Test, store: Store, driver: DriverName): Promise<void> {
  const info = await store.createVolume('db');
  t.equal(info.driver, driver);
  const vol = store.volume('db');
  const step = (what: string) => assertClean(t, store, `after ${what}`);
  const read = async () => readFile(join(await vol.dataPath(), 'f'), 'utf8');
  const c1 = await commitFile(vol, 'f', 'one');
  await step('commit');
  await commitFile(vol, 'f', 'two');
  await vol.createBranch('exp');
  await step('checkout -b');
  await commitFile(vol, 'f', 'exp');
  await vol.checkout('master');
  t.equal(await read(), 'two');
  await step('checkout');
  await put(vol, 'f', 'dirty');
  t.equal((await vol.status()).dirty, true);
  const reset = await vol.reset('HEAD^', { hard: true });
  t.same(reset.removed, [], 'the reset commit is still on exp');
  t.equal(await read(), 'one');
  await step('reset');
  await vol.createTag('v1', c1);
  await vol.deleteCommitData('exp^');
  await step('delete commit data');
  const { removed } = await vol.deleteBranch('exp', { force: true });
  t.equal(removed.length, 2);
  await step('branch -d');
  t.equal((await store.summarizeVolumes())[0]?.dirty, false);
  await store.removeVolume('db');
  await step('rm');
}

for (const driver of driverNames) {
  const fs = FILESYSTEM[driver];
  const skip = fs ? ((await loopFsUnavailable(fs)) ?? false) : false;
  t.test(`${driver}${fs ? ` on ${fs}` : ''}`, { skip }, async (t) => {
    let base = t.testdir();
    if (fs) {
      const loop = await createLoopFs(fs);
      t.teardown(() => loop.dispose());
      base = loop.mountpoint;
    }
    const root = join(base, 'state');
    const auto = await openStore(root);
    t.equal(auto.defaultDriver, driver, 'the default is detected from the filesystem');
    await auto.close();
    const store = await openStore(root, { defaultDriver: driver });
    try {
      await workflow(t, store, driver);
    } finally {
      await store.close();
    }
    const reopened = await openStore(root, { defaultDriver: driver });
    await assertClean(t, reopened, 'after reopening');
    await reopened.close();
  });
}
