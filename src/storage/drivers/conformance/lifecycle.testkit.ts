// Conformance groups about the life of branches and commits: creation, listing, removal, errors,
// cleanup and destroy.

import fs from 'node:fs';
import path from 'node:path';
import type { Test } from 'tap';

import { rejectsWith } from './context.testkit.js';
import type { SuiteContext } from './context.testkit.js';

export function lifecycleGroups(t: Test, ctx: SuiteContext): void {
  t.test('createBranch makes an empty writable 0755 directory', async (t) => {
    const { driver } = ctx.open(t);
    await driver.createBranch('master');
    const dir = driver.branchPath('master');
    const st = fs.statSync(dir);
    t.equal(st.mode & 0o7777, 0o755, 'mode 0755');
    t.equal(st.uid, process.getuid?.(), 'owned by the running user');
    t.same(fs.readdirSync(dir), [], 'empty');
    fs.writeFileSync(path.join(dir, 'f'), 'writable');
    t.same(await driver.list(), { branches: ['master'], commits: [] }, 'listed');
  });

  t.test('errors: not_found and exists', async (t) => {
    const { driver } = ctx.open(t);
    await driver.createBranch('master');
    await driver.snapshot('master', 'c1');
    await rejectsWith(t, driver.createBranch('master'), 'exists', 'createBranch of an existing branch');
    await rejectsWith(t, driver.snapshot('master', 'c1'), 'exists', 'snapshot to an existing commit');
    await rejectsWith(
      t,
      driver.branchFromCommit('c1', 'master'),
      'exists',
      'branchFromCommit to an existing branch',
    );
    await rejectsWith(t, driver.snapshot('nope', 'c2'), 'not_found', 'snapshot of a missing branch');
    await rejectsWith(
      t,
      driver.branchFromCommit('nope', 'dev'),
      'not_found',
      'branchFromCommit of a missing commit',
    );
    await rejectsWith(
      t,
      driver.resetBranch('master', 'nope'),
      'not_found',
      'resetBranch to a missing commit',
    );
    await rejectsWith(t, driver.resetBranch('nope', 'c1'), 'not_found', 'resetBranch of a missing branch');
    await rejectsWith(t, driver.hasChanges('nope', 'c1'), 'not_found', 'hasChanges of a missing branch');
    await rejectsWith(
      t,
      driver.hasChanges('master', 'nope'),
      'not_found',
      'hasChanges against a missing commit',
    );
    await rejectsWith(t, driver.size({ branch: 'nope' }), 'not_found', 'size of a missing branch');
    await rejectsWith(t, driver.size({ commit: 'nope' }), 'not_found', 'size of a missing commit');
    t.same(await driver.list(), { branches: ['master'], commits: ['c1'] }, 'failed calls changed nothing');
  });

  t.test('remove, list, cleanup and destroy', async (t) => {
    const { driver, root } = ctx.open(t);
    await driver.createBranch('master');
    fs.writeFileSync(path.join(driver.branchPath('master'), 'f'), 'x');
    await driver.snapshot('master', 'c1');
    await driver.snapshot('master', 'c2');
    await driver.branchFromCommit('c2', 'dev');
    t.same(await driver.list(), { branches: ['dev', 'master'], commits: ['c1', 'c2'] }, 'all listed');
    await driver.removeCommit('c1');
    await driver.removeBranch('dev');
    await driver.removeCommit('c1');
    await driver.removeBranch('dev');
    t.pass('removing absent data is not an error');
    t.same(await driver.list(), { branches: ['master'], commits: ['c2'] }, 'removed data is gone');
    t.notOk(fs.existsSync(driver.branchPath('dev')), 'the branch directory is gone');
    t.equal(await driver.hasChanges('master', 'c2'), false, 'the rest is intact');
    await driver.createBranch('dev');
    t.equal(await driver.hasChanges('dev', null), false, 'a name can be reused after removal');
    await driver.cleanup();
    await driver.cleanup();
    t.same(await driver.list(), { branches: ['dev', 'master'], commits: ['c2'] }, 'cleanup keeps live data');
    await driver.destroy();
    t.notOk(fs.existsSync(root), 'destroy removes the root');
  });

  t.test(
    'durability of completed calls',
    { skip: 'needs a power cut; each driver flushes (syncfs, fsync of directories) before resolving' },
    () => undefined,
  );
}
