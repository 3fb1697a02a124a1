// Conformance groups about hasChanges: every kind of edit is seen, equal data is clean, and it stays
// exact right after snapshot and reset (racy timestamps) and without recorded metadata.

import fs from 'node:fs';
import path from 'node:path';
import type { Test } from 'tap';

import { changeCases, editKeepingSizeAndMtime } from './changes.testkit.js';
import type { SuiteContext } from './context.testkit.js';
import { buildFixture } from './fixture.testkit.js';

export function detectGroups(t: Test, ctx: SuiteContext): void {
  t.test('hasChanges of a new branch against no commit', async (t) => {
    const { driver } = ctx.open(t);
    await driver.createBranch('master');
    t.equal(await driver.hasChanges('master', null), false, 'an empty branch is clean');
    fs.mkdirSync(path.join(driver.branchPath('master'), 'dir'));
    t.equal(await driver.hasChanges('master', null), true, 'an empty directory in it is a change');
    fs.rmdirSync(path.join(driver.branchPath('master'), 'dir'));
    t.equal(await driver.hasChanges('master', null), false, 'removing it makes it clean again');
  });

  t.test('hasChanges sees every edit and nothing else', async (t) => {
    const { driver } = ctx.open(t);
    await driver.createBranch('master');
    buildFixture(driver.branchPath('master'));
    await driver.snapshot('master', 'c1');
    t.equal(await driver.hasChanges('master', 'c1'), false, 'clean right after the snapshot');
    t.equal(await driver.hasChanges('master', 'c1'), false, 'and when asked again');
    for (const c of changeCases(ctx.xattrs)) {
      t.test(c.name, { skip: c.skip }, async (t) => {
        await driver.resetBranch('master', 'c1');
        t.equal(await driver.hasChanges('master', 'c1'), false, 'clean after reset');
        c.edit(driver.branchPath('master'));
        const want = c.same === true ? false : true;
        t.equal(await driver.hasChanges('master', 'c1'), want, want ? 'the edit is seen' : 'still clean');
        t.equal(await driver.hasChanges('master', 'c1'), want, 'same answer when asked again');
      });
    }
  });

  t.test('hasChanges right after a snapshot: a same-size edit that restores mtime', async (t) => {
    const { driver } = ctx.open(t);
    await driver.createBranch('master');
    const file = path.join(driver.branchPath('master'), 'f');
    fs.writeFileSync(file, 'aaaa');
    await driver.snapshot('master', 'c1');
    editKeepingSizeAndMtime(file, 'b'.charCodeAt(0));
    t.equal(await driver.hasChanges('master', 'c1'), true, 'seen within the same second');
  });

  t.test('hasChanges against a commit it has no recorded metadata for', async (t) => {
    const { driver } = ctx.open(t);
    await driver.createBranch('master');
    buildFixture(driver.branchPath('master'));
    await driver.snapshot('master', 'c1');
    await driver.snapshot('master', 'c2');
    await driver.branchFromCommit('c1', 'dev');
    t.equal(await driver.hasChanges('dev', 'c2'), false, 'equal data compares equal by a full comparison');
    t.equal(await driver.hasChanges('dev', 'c2'), false, 'and again');
    fs.writeFileSync(path.join(driver.branchPath('master'), 'extra'), 'x');
    await driver.snapshot('master', 'c3');
    t.equal(await driver.hasChanges('dev', 'c3'), true, 'a commit with one more file differs');
    t.equal(await driver.hasChanges('master', 'c1'), true, 'and the other way round');
  });
}
