// Modes, owners, hard links and sparse files survive commit, checkout and reset through the Store API.
import { chmod, chown, link, lstat, mkdir, open, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import type { Volume } from './model.js';
import { AUTHOR, assertClean, storeWithVolume } from './store.testkit.js';

const isRoot = process.getuid?.() === 0;

/** A postgres-like tree: a private data root, private files, other owners, setuid, links, a sparse file. */
async function populate(dir: string): Promise<void> {
  await chmod(dir, 0o700);
  await chown(dir, 999, 999);
  await mkdir(join(dir, 'base'), { mode: 0o700 });
  await writeFile(join(dir, 'base', 'table'), 'rows');
  await chmod(join(dir, 'base', 'table'), 0o600);
  await chown(join(dir, 'base', 'table'), 999, 998);
  await writeFile(join(dir, 'tool'), '#!/bin/sh\n');
  await chmod(join(dir, 'tool'), 0o4755);
  await link(join(dir, 'base', 'table'), join(dir, 'hardlink'));
  await symlink('base/table', join(dir, 'symlink'));
  const sparse = await open(join(dir, 'sparse'), 'w');
  await sparse.write('end', 0x4000000 - 3); // 64 MiB apparent, one block used
  await sparse.close();
}

/** What must survive: per path, type, mode, owner, link count, size and blocks (holes). */
async function describe(dir: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const p of ['', 'base', 'base/table', 'tool', 'hardlink', 'symlink', 'sparse']) {
    const s = await lstat(join(dir, p));
    out[p || '.'] = { mode: s.mode.toString(8), uid: s.uid, gid: s.gid, nlink: s.nlink, size: s.size };
  }
  const table = await lstat(join(dir, 'base', 'table'));
  const hard = await lstat(join(dir, 'hardlink'));
  out.sameInode = table.ino === hard.ino;
  out.symlink = await readlink(join(dir, 'symlink'));
  out.sparseBlocksKiB = Math.ceil(((await lstat(join(dir, 'sparse'))).blocks * 512) / 1024) <= 1024;
  return out;
}

async function dataOf(vol: Volume) {
  return describe(await vol.dataPath());
}

t.test(
  'fidelity through commit, reset, checkout -b and checkout',
  { skip: !isRoot && 'needs root for chown' },
  async (t) => {
    const { store, vol } = await storeWithVolume(t);
    await populate(await vol.dataPath());
    const expected = await dataOf(vol);
    t.match(expected, { '.': { mode: '40700', uid: 999 }, sameInode: true, sparseBlocksKiB: true });
    await vol.commit({ message: 'pg data', author: AUTHOR });
    t.same(await dataOf(vol), expected, 'commit leaves the working data as it was');
    t.equal((await vol.status()).dirty, false);

    const dir = await vol.dataPath();
    await chmod(dir, 0o777);
    await chown(join(dir, 'base', 'table'), 0, 0);
    await rm(join(dir, 'hardlink'));
    await writeFile(join(dir, 'tool'), 'x');
    t.equal((await vol.status()).dirty, true);
    await vol.reset('HEAD', { hard: true });
    t.same(await dataOf(vol), expected, 'reset --hard restores modes, owners, links, holes');
    t.equal((await vol.status()).dirty, false);

    await vol.createBranch('copy');
    t.same(await dataOf(vol), expected, 'checkout -b starts from an exact copy');
    await chmod(await vol.dataPath(), 0o755);
    await vol.commit({ message: 'loosen', author: AUTHOR });
    await vol.checkout('master');
    t.same(await dataOf(vol), expected, 'checkout back shows master exactly');
    await vol.checkout('copy');
    t.equal(((await lstat(await vol.dataPath())).mode & 0o7777).toString(8), '755');
    await assertClean(t, store);
  },
);
