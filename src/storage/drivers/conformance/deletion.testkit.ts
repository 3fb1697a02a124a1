// Conformance groups about discarded data (what resetBranch replaces, removed branches and commits):
// gone at once, deleted from disk by the time idle() resolves, and deleted by cleanup() when a crash
// came before the background deletion.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Test } from 'tap';

import type { SnapshotDriver } from '../driver.js';
import { writeBulk } from './context.testkit.js';
import type { SuiteContext } from './context.testkit.js';
import { CHILD, apparentBytes, assertNoLeftovers, listedBytes } from './crash.testkit.js';

/** A branch `master` committed as c1 and a branch `dev` committed as c2, 2 MiB of data each. */
async function withHistory(driver: SnapshotDriver): Promise<void> {
  await driver.createBranch('master');
  writeBulk(driver.branchPath('master'), 'bulk', 8, 256 * 1024);
  await driver.snapshot('master', 'c1');
  await driver.branchFromCommit('c1', 'dev');
  writeBulk(driver.branchPath('dev'), 'more', 8, 256 * 1024);
  await driver.snapshot('dev', 'c2');
  writeBulk(driver.branchPath('master'), 'dirty', 8, 256 * 1024);
}

/** Runs `op args` in a child process that kills itself (SIGKILL) right after the operation resolved. */
function runThenCrash(name: string, root: string, op: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, name, root, op, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DVOL_KILL_WHEN_DONE: '1' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL' && out.includes('done\n')) resolve(out);
      else reject(new Error(`${op} child ended with ${signal ?? code}: ${err.trim()}`));
    });
  });
}

export function deletionGroups(t: Test, ctx: SuiteContext): void {
  t.test('discarded data is gone at once and off the disk once idle() resolves', async (t) => {
    const { driver, root } = ctx.open(t);
    await withHistory(driver);
    await driver.resetBranch('master', 'c1');
    await driver.removeBranch('dev');
    await driver.removeCommit('c2');
    t.same(await driver.list(), { branches: ['master'], commits: ['c1'] }, 'list() no longer has it');
    t.notOk(fs.existsSync(path.join(driver.branchPath('master'), 'dirty')), 'the reset data is in place');
    t.notOk(fs.existsSync(driver.branchPath('dev')), 'the branch directory is gone');
    t.notOk(fs.existsSync(driver.commitPath('c2')), 'the commit directory is gone');
    await driver.idle();
    await assertNoLeftovers(t, driver, root);
    t.equal(await driver.hasChanges('master', 'c1'), false, 'what is kept is intact');
  });

  t.test('a crash right after a removal or reset: cleanup() finishes the deletion', async (t) => {
    const { driver, root } = ctx.open(t);
    await withHistory(driver);
    const steps: [string, string[]][] = [
      ['resetBranch', ['master', 'c1']],
      ['removeBranch', ['dev']],
      ['removeCommit', ['c2']],
    ];
    for (const [op, args] of steps) await runThenCrash(ctx.factory.name, root, op, args);
    t.same(await driver.list(), { branches: ['master'], commits: ['c1'] }, 'each change survived the crash');
    // 12 MiB were discarded, 4 MiB each, and deletion starts only after the call's caller resumed.
    const pending = apparentBytes(root) - (await listedBytes(driver));
    t.ok(pending >= 4 << 20, `discarded data is still on disk before cleanup (${pending} bytes)`);
    await driver.cleanup();
    await assertNoLeftovers(t, driver, root);
    t.equal(await driver.hasChanges('master', 'c1'), false, 'the reset branch equals its commit');
  });
}
