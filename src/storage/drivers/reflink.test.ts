// The reflink driver passes the conformance suite on real loopback xfs (reflink=1) and btrfs
// filesystems, copies really share blocks there, and the probe refuses filesystems without reflink.

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';

import { runDriverConformance } from './conformance.testkit.js';
import { run } from './exec.js';
import { chooseDefaultDriver } from './index.js';
import { createLoopFs, loopFsUnavailable } from './loopfs.testkit.js';
import type { LoopFsType } from './loopfs.testkit.js';
import { reflinkFactory } from './reflink.js';

for (const type of ['xfs', 'btrfs'] as LoopFsType[]) {
  const unavailable = await loopFsUnavailable(type);
  t.test(`reflink driver on loopback ${type}`, { skip: unavailable ?? false }, async (t) => {
    const loop = await createLoopFs(type);
    t.teardown(loop.dispose);
    // On btrfs the btrfs driver is preferred over reflink.
    const best = type === 'btrfs' ? 'btrfs' : 'reflink';
    t.equal(await chooseDefaultDriver(loop.mountpoint), best, `${best} is the default on ${type}`);
    t.test('copies share blocks: a snapshot of 32 MiB takes almost no space', async (t) => {
      const root = path.join(loop.mountpoint, 'sharing');
      await fs.mkdir(root);
      const driver = reflinkFactory.open({ root, options: {} });
      t.teardown(() => driver.destroy());
      await driver.createBranch('master');
      await fs.writeFile(path.join(driver.branchPath('master'), 'big'), randomBytes(32 << 20));
      await run('sync', ['-f', root], 'flushing');
      const free = async () => {
        const s = await fs.statfs(root);
        return s.bavail * s.bsize;
      };
      const before = await free();
      await driver.snapshot('master', 'c1');
      await driver.branchFromCommit('c1', 'dev');
      const used = before - (await free());
      t.ok(used < 4 << 20, `snapshot and branch of 32 MiB used ${used} bytes`);
    });
    await runDriverConformance(t, reflinkFactory, loop.mountpoint);
  });
}

const notRoot = process.getuid?.() !== 0 && 'needs root to mount a tmpfs';
t.test('the probe refuses tmpfs (no reflink); plain is the default there', { skip: notRoot }, async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dvol-tmpfs-'));
  await run('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', dir], 'mounting a tmpfs');
  t.teardown(async () => {
    await run('umount', [dir], 'unmounting the tmpfs');
    await fs.rmdir(dir);
  });
  t.match(await reflinkFactory.probe(dir), /cannot make reflink copies/, 'the reason names the problem');
  t.equal(await chooseDefaultDriver(dir), 'plain', 'plain is the default');
  t.same(await fs.readdir(dir), [], 'the probe leaves nothing behind');
});
