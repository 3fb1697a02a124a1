// The plain driver passes the conformance suite in a test directory, and recovers change detection
// when its manifests are lost.

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';

import { runDriverConformance } from './conformance.testkit.js';
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
