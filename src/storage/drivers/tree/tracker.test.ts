// The difference stream behind hasChanges (and later `dvol diff`): every kind of difference is
// reported once, with what changed, on real directories through the plain driver.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import type { Test } from 'tap';

import { CopyDriver } from '../copy/driver.js';
import { plainFactory } from '../plain.js';
import type { Difference } from './compare.js';

async function setup(t: Test) {
  const root = path.join(t.testdir(), 'vol');
  fs.mkdirSync(root);
  const driver = plainFactory.open({ root, options: {} }) as CopyDriver;
  await driver.createBranch('master');
  const dir = driver.branchPath('master');
  fs.writeFileSync(path.join(dir, 'keep'), 'same');
  fs.writeFileSync(path.join(dir, 'edit'), 'before');
  fs.writeFileSync(path.join(dir, 'gone'), 'bye');
  fs.writeFileSync(path.join(dir, 'perm'), 'x', { mode: 0o644 });
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.writeFileSync(path.join(dir, 'sub', 'inner'), 'in');
  fs.symlinkSync('keep', path.join(dir, 'link'));
  await driver.snapshot('master', 'c1');
  return { driver, dir };
}

async function collect(it: AsyncGenerator<Difference>): Promise<Difference[]> {
  const out: Difference[] = [];
  for await (const d of it) out.push(d);
  return out;
}

t.test('each kind of difference is reported once, in walk order then deletions', async (t) => {
  const { driver, dir } = await setup(t);
  t.same(await collect(driver.differences('master', 'c1')), [], 'no differences right after the snapshot');
  fs.writeFileSync(path.join(dir, 'edit'), 'after, longer');
  fs.rmSync(path.join(dir, 'gone'));
  fs.chmodSync(path.join(dir, 'perm'), 0o600);
  fs.writeFileSync(path.join(dir, 'new'), '');
  fs.rmSync(path.join(dir, 'sub'), { recursive: true });
  fs.rmSync(path.join(dir, 'link'));
  fs.symlinkSync('edit', path.join(dir, 'link'));
  const diffs = await collect(driver.differences('master', 'c1'));
  t.same(
    diffs.map((d) => [d.path, d.kind, d.what]),
    [
      ['edit', 'modified', 'content'],
      ['link', 'modified', 'mtime'],
      ['new', 'added', undefined],
      ['perm', 'modified', 'mode'],
      ['gone', 'deleted', undefined],
      ['sub', 'deleted', undefined],
      ['sub/inner', 'deleted', undefined],
    ],
    'added, modified (with what) and deleted entries',
  );
});

const xattrs = (() => {
  const probe = path.join(t.testdir(), 'probe');
  fs.writeFileSync(probe, '');
  try {
    execFileSync('setfattr', ['-n', 'user.k', '-v', 'v', probe]);
    return true;
  } catch {
    return false;
  }
})();

t.test(
  'xattr differences are found where ctime moved',
  { skip: !xattrs && 'no user.* xattrs here' },
  async (t) => {
    const { driver, dir } = await setup(t);
    execFileSync('setfattr', ['-n', 'user.k', '-v', 'v', path.join(dir, 'keep')]);
    const diffs = await collect(driver.differences('master', 'c1'));
    t.same(diffs, [{ path: 'keep', kind: 'modified', what: 'xattrs' }], 'the xattr change');
  },
);

t.test('against no commit, every entry is added', async (t) => {
  const { driver, dir } = await setup(t);
  fs.rmSync(path.join(dir, 'sub'), { recursive: true });
  const diffs = await collect(driver.differences('master', null));
  t.same(
    diffs.map((d) => d.path),
    ['edit', 'gone', 'keep', 'link', 'perm'],
    'all entries but the root',
  );
  t.ok(
    diffs.every((d) => d.kind === 'added'),
    'as additions',
  );
});
