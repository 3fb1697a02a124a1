// Conformance groups about data: fidelity of every copy, isolation between branches and commits,
// and sizes.

import fs from 'node:fs';
import path from 'node:path';
import type { Test } from 'tap';

import type { SuiteContext } from './context.testkit.js';
import { describeTree } from './describe.testkit.js';
import { SPARSE_SIZE, buildFixture, isRoot } from './fixture.testkit.js';

/** The fixture's own description holds what we meant to build (else equal copies prove nothing). */
async function checkFixture(t: Test, dir: string): Promise<void> {
  const d = await describeTree(dir);
  const has = (p: string, s: string) => t.match(d[JSON.stringify(p)], s, `fixture: ${p} has ${s}`);
  has('', 'mode=40700');
  has('data/secret', 'mode=100600');
  has('data/setuid', 'mode=104755');
  has('sgid', 'mode=42775');
  has('sticky', 'mode=41777');
  has('data/secret', 'mtime=1200000000987654321');
  has('links/dangling', 'target="/nowhere/at/all"');
  has('hard/b', 'links="hard/a"');
  has('fifo', 'mode=10640');
  if (isRoot) has('owned', 'owner=1234:5678');
  if (isRoot) has('device', 'mode=20620');
}

/** Copies keep holes: the 64 MiB file with 4 KiB of data must not allocate its whole size. */
function checkSparse(t: Test, dir: string, what: string): void {
  const st = fs.statSync(path.join(dir, 'sparse'));
  t.equal(st.size, SPARSE_SIZE, `${what}: sparse file size`);
  t.ok(
    st.blocks * 512 < SPARSE_SIZE / 8,
    `${what}: sparse file keeps its holes (${st.blocks * 512} bytes allocated)`,
  );
}

export function fidelityGroups(t: Test, ctx: SuiteContext): void {
  t.test('fidelity: snapshot, branchFromCommit and resetBranch keep everything', async (t) => {
    const { driver } = ctx.open(t);
    await driver.createBranch('master');
    const branch = driver.branchPath('master');
    const { skipped } = buildFixture(branch);
    for (const reason of skipped) t.test(`fixture feature: ${reason}`, { skip: reason }, () => undefined);
    await checkFixture(t, branch);
    const expected = await describeTree(branch);
    await driver.snapshot('master', 'c1');
    t.same(await describeTree(driver.commitPath('c1')), expected, 'commit equals the branch');
    t.same(await describeTree(branch), expected, 'snapshot leaves the branch as it was');
    checkSparse(t, driver.commitPath('c1'), 'commit');
    await driver.branchFromCommit('c1', 'dev');
    t.same(await describeTree(driver.branchPath('dev')), expected, 'branch from the commit equals it');
    checkSparse(t, driver.branchPath('dev'), 'new branch');
    fs.writeFileSync(path.join(branch, 'data/secret'), 'changed');
    fs.chmodSync(branch, 0o777);
    fs.rmSync(path.join(branch, 'hard/b'));
    await driver.resetBranch('master', 'c1');
    t.same(await describeTree(driver.branchPath('master')), expected, 'reset brings everything back');
    checkSparse(t, driver.branchPath('master'), 'reset branch');
  });

  t.test('isolation: writes never leak between branches and commits', async (t) => {
    const { driver } = ctx.open(t);
    await driver.createBranch('master');
    const master = driver.branchPath('master');
    fs.writeFileSync(path.join(master, 'f'), 'version 1');
    await driver.snapshot('master', 'c1');
    await driver.branchFromCommit('c1', 'dev');
    const dev = driver.branchPath('dev');
    // In-place writes, so that block-sharing copies must really copy on write.
    const writeInPlace = (file: string, text: string) => {
      const fd = fs.openSync(file, 'r+');
      fs.writeSync(fd, text, 0);
      fs.closeSync(fd);
    };
    writeInPlace(path.join(master, 'f'), 'version M');
    writeInPlace(path.join(dev, 'f'), 'version D');
    fs.writeFileSync(path.join(dev, 'only-dev'), '');
    t.equal(
      fs.readFileSync(path.join(driver.commitPath('c1'), 'f'), 'utf8'),
      'version 1',
      'commit unchanged',
    );
    t.equal(fs.readFileSync(path.join(master, 'f'), 'utf8'), 'version M', 'master has its own write');
    t.equal(fs.readFileSync(path.join(dev, 'f'), 'utf8'), 'version D', 'dev has its own write');
    t.notOk(fs.existsSync(path.join(master, 'only-dev')), 'new files stay in their branch');
    await driver.resetBranch('dev', 'c1');
    t.equal(fs.readFileSync(path.join(master, 'f'), 'utf8'), 'version M', 'resetting dev leaves master');
  });

  t.test('size: apparent bytes of branches and commits', async (t) => {
    const { driver } = ctx.open(t);
    await driver.createBranch('master');
    const empty = await driver.size({ branch: 'master' });
    t.ok(empty.bytes < 65536, `an empty branch is small (${empty.bytes})`);
    fs.writeFileSync(path.join(driver.branchPath('master'), 'mib'), Buffer.alloc(1 << 20, 1));
    const full = await driver.size({ branch: 'master' });
    t.ok(full.bytes >= 1 << 20 && full.bytes < (1 << 20) + 65536, `1 MiB of data counts (${full.bytes})`);
    await driver.snapshot('master', 'c1');
    const commit = await driver.size({ commit: 'c1' });
    t.ok(commit.bytes >= 1 << 20 && commit.bytes < (1 << 20) + 65536, `the commit too (${commit.bytes})`);
    if (commit.exclusive !== undefined) t.ok(commit.exclusive >= 0, 'exclusive bytes are a count');
  });
}
