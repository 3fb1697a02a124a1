// The plain driver passes the conformance suite in a test directory, recovers change detection when
// its manifests are lost, and fails cleanly on a full disk.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';

import { runDriverConformance } from './conformance.testkit.js';
import { rejectsWith } from './conformance/context.testkit.js';
import { buildFixture } from './conformance/fixture.testkit.js';
import { plainFactory } from './plain.js';

await runDriverConformance(t, plainFactory, t.testdir());

t.test('hasChanges stays exact when the manifests are lost (as after a crash)', async (t) => {
  const root = path.join(t.testdir(), 'vol');
  fs.mkdirSync(root);
  const driver = plainFactory.open({ root, options: {} });
  await driver.createBranch('master');
  const master = driver.branchPath('master');
  buildFixture(master);
  await driver.snapshot('master', 'c1');
  fs.rmSync(path.join(root, 'manifests'), { recursive: true });
  fs.mkdirSync(path.join(root, 'manifests'));
  t.equal(await driver.hasChanges('master', 'c1'), false, 'clean by full comparison');
  t.ok(fs.existsSync(path.join(root, 'manifests', 'master.json')), 'the manifest is rebuilt');
  fs.writeFileSync(path.join(master, 'with space'), 'SPACES\n');
  t.equal(await driver.hasChanges('master', 'c1'), true, 'an edit is still seen');
});

const notRoot = process.getuid?.() !== 0 && 'needs root to mount a small tmpfs';
t.test('a full disk is no_space, and the failed copy is gone at once', { skip: notRoot }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dvol-full-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir]);
  t.teardown(() => {
    execFileSync('umount', [dir]);
    fs.rmdirSync(dir);
  });
  const driver = plainFactory.open({ root: dir, options: {} });
  await driver.createBranch('master');
  fs.writeFileSync(path.join(driver.branchPath('master'), 'big'), Buffer.alloc(5 << 20, 1));
  const used = () => Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
  const before = used();
  await rejectsWith(t, driver.snapshot('master', 'c1'), 'no_space', 'snapshot on a full disk');
  t.same(await driver.list(), { branches: ['master'], commits: [] }, 'no commit appears');
  t.ok(used() <= before + 65536, `nothing left behind (${used()} bytes, ${before} before)`);
  t.equal(await driver.hasChanges('master', null), true, 'the branch is intact');
});
