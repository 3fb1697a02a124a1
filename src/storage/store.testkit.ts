// Test helpers: a store in a tap test directory, fsck assertions, and small data helpers.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { DriverName } from './drivers/index.js';
import type { Store, Volume } from './model.js';
import { openStore } from './store.js';

/** The author used by tests. */
export const AUTHOR = 'Test Author <test@example.com>';

/** Opens a store in a fresh t.testdir() (closed at teardown); `driver` defaults to plain. */
export async function openTestStore(
  t: Test,
  opts: { driver?: DriverName; root?: string } = {},
): Promise<Store> {
  const root = opts.root ?? join(t.testdir(), 'state');
  const store = await openStore(root, { defaultDriver: opts.driver ?? 'plain' });
  t.teardown(() => store.close());
  return store;
}

/** A store with one volume 'vol' (branch master, no commits), and that volume. */
export async function storeWithVolume(t: Test, driver?: DriverName): Promise<{ store: Store; vol: Volume }> {
  const store = await openTestStore(t, { driver });
  await store.createVolume('vol');
  return { store, vol: store.volume('vol') };
}

/** Asserts that fsck of the whole store finds nothing. */
export async function assertClean(t: Test, store: Store, when = ''): Promise<void> {
  const problems = await store.fsck();
  t.same(problems, [], `fsck is clean${when ? ` ${when}` : ''}`);
}

/** Writes a file into the volume's active branch data. */
export async function put(vol: Volume, file: string, content: string): Promise<void> {
  await writeFile(join(await vol.dataPath(), file), content);
}

/** Writes `content` to `file` and commits it; resolves to the commit id. */
export async function commitFile(vol: Volume, file: string, content: string, message = `set ${file}`) {
  await put(vol, file, content);
  return (await vol.commit({ message, author: AUTHOR })).id;
}
