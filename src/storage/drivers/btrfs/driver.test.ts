// What is particular to the btrfs driver, on a real loopback btrfs filesystem: options, .nocow,
// exclusive sizes, probe and the error when forced onto another filesystem. The contracts every driver
// shares (lifecycle, isolation, fidelity, crashes) are in conformance.test.ts.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import t from 'tap';

import { btrfsFactory, type BtrfsDriver } from './driver.js';
import { loopBtrfsFor } from './loop.testkit.js';
import { run } from '../exec.js';

const C1 = 'a'.repeat(40);

const mountpoint = await loopBtrfsFor(t, 'btrfs driver tests');
if (mountpoint) {
  let volumes = 0;
  const open = async (options: Record<string, string> = {}): Promise<BtrfsDriver> => {
    const root = path.join(mountpoint, `vol${++volumes}`);
    await fs.mkdir(root);
    return btrfsFactory.open({ root, options }) as BtrfsDriver;
  };

  t.test('probe says yes on btrfs and names the filesystem elsewhere', async (t) => {
    t.equal(await btrfsFactory.probe(mountpoint), true);
    const elsewhere = t.testdir();
    t.match(await btrfsFactory.probe(elsewhere), /is on ext2\/ext3, not btrfs|not btrfs/);
    t.same(await fs.readdir(mountpoint).then((n) => n.filter((x) => x.includes('probe'))), []);
  });

  t.test('forcing btrfs onto another filesystem is refused with the filesystem named', async (t) => {
    t.throws(() => btrfsFactory.open({ root: t.testdir(), options: {} }), {
      name: 'DvolError',
      code: 'unsupported',
      message: /is on .+, not btrfs/,
    });
  });

  t.test('copyonwrite=false sets No_COW on the branch, inherited by files and new branches', async (t) => {
    const d = await open({ copyonwrite: 'false' });
    await d.createBranch('main');
    const lsattr = async (p: string) => (await run('lsattr', ['-d', p], 'test')).stdout.split(' ')[0] ?? '';
    t.match(await lsattr(d.branchPath('main')), /C/);
    await fs.writeFile(path.join(d.branchPath('main'), 'db'), 'x');
    t.match(await lsattr(path.join(d.branchPath('main'), 'db')), /C/);
    await d.snapshot('main', C1);
    await d.branchFromCommit(C1, 'dev');
    t.match(await lsattr(d.branchPath('dev')), /C/);
    t.equal(await fs.readFile(path.join(d.branchPath('dev'), 'db'), 'utf8'), 'x', 'snapshots still work');
    await d.destroy();
  });

  t.test('compression=zstd sets the compression property', async (t) => {
    const d = await open({ compression: 'zstd' });
    await d.createBranch('main');
    const { stdout } = await run('btrfs', ['property', 'get', d.branchPath('main'), 'compression'], 'test');
    t.match(stdout, /compression=zstd/);
    await d.destroy();
  });

  t.test('bad option values are refused with the valid ones', async (t) => {
    const root = path.join(mountpoint, 'badopts');
    await fs.mkdir(root);
    t.throws(() => btrfsFactory.open({ root, options: { compression: 'lz4' } }), {
      code: 'invalid',
      message: /'lz4'.*'compression'/,
      hint: 'use one of: zstd, lzo, zlib',
    });
    t.throws(() => btrfsFactory.open({ root, options: { copyonwrite: 'no' } }), {
      code: 'invalid',
      hint: 'use one of: true, false',
    });
    t.throws(() => btrfsFactory.open({ root, options: { copyonwrite: 'false', compression: 'zstd' } }), {
      code: 'invalid',
    });
    t.throws(
      () => btrfsFactory.checkOptions?.({ compression: 'lz4' }),
      { code: 'invalid' },
      'checkOptions too',
    );
    t.doesNotThrow(() => btrfsFactory.checkOptions?.({ compression: 'zstd', copyonwrite: 'true' }));
    t.same(Object.keys(btrfsFactory.options).sort(), ['compression', 'copyonwrite']);
  });

  t.test('a .nocow file at the root of the data turns copy-on-write off, as in buttervolume', async (t) => {
    const d = await open();
    await d.createBranch('main');
    await fs.writeFile(path.join(d.branchPath('main'), '.nocow'), '');
    await d.snapshot('main', C1);
    const attrs = (await run('lsattr', ['-d', d.branchPath('main')], 'test')).stdout;
    t.match(attrs.split(' ')[0], /C/, 'set when the branch is committed');
    await d.branchFromCommit(C1, 'dev');
    t.match((await run('lsattr', ['-d', d.branchPath('dev')], 'test')).stdout.split(' ')[0], /C/);
    await d.destroy();
  });

  t.test('a .nocow file is also honoured when the data is mounted, before any commit', async (t) => {
    const d = await open();
    await d.createBranch('main');
    const attrs = async () =>
      (await run('lsattr', ['-d', d.branchPath('main')], 'test')).stdout.split(' ')[0];
    await d.beforeMount?.('main');
    t.notMatch(await attrs(), /C/, 'no marker: copy-on-write stays on');
    await fs.writeFile(path.join(d.branchPath('main'), '.nocow'), '');
    await d.beforeMount?.('main');
    t.match(await attrs(), /C/, 'the next mount turns it off');
    await t.rejects(d.beforeMount?.('gone') ?? Promise.resolve(), { code: 'not_found' });
    await d.destroy();
  });

  t.test('size reports apparent bytes and what only this snapshot holds', async (t) => {
    const d = await open();
    await d.createBranch('main');
    await fs.writeFile(path.join(d.branchPath('main'), 'big'), Buffer.alloc(4 << 20, 7));
    await d.snapshot('main', C1);
    const commit = await d.size({ commit: C1 });
    t.ok(commit.bytes >= 4 << 20, `commit bytes ${commit.bytes}`);
    t.equal(commit.exclusive, 0, 'all its extents are shared with the branch');
    await fs.writeFile(path.join(d.branchPath('main'), 'big'), Buffer.alloc(4 << 20, 8));
    await run('btrfs', ['filesystem', 'sync', d.branchPath('main')], 'test');
    const branch = await d.size({ branch: 'main' });
    t.ok(branch.exclusive !== undefined && branch.exclusive >= 4 << 20, `rewritten: ${branch.exclusive}`);
    await d.destroy();
  });

  t.test('with quotas enabled, exclusive sizes come from qgroups', async (t) => {
    await run('btrfs', ['quota', 'enable', mountpoint], 'test');
    t.teardown(() => run('btrfs', ['quota', 'disable', mountpoint], 'test'));
    const d = await open();
    await d.createBranch('main');
    const big = path.join(d.branchPath('main'), 'big');
    await fs.writeFile(big, Buffer.alloc(4 << 20, 1));
    await d.snapshot('main', C1);
    await fs.writeFile(big, Buffer.alloc(4 << 20, 2));
    const branch = await d.size({ branch: 'main' });
    const commit = await d.size({ commit: C1 });
    t.ok(branch.exclusive !== undefined && branch.exclusive >= 4 << 20, `branch: ${branch.exclusive}`);
    t.ok(commit.exclusive !== undefined && commit.exclusive >= 4 << 20, `commit: ${commit.exclusive}`);
    t.ok(commit.exclusive! < 5 << 20, 'no more than its data and some metadata');
    t.ok(branch.exclusive! > 4 << 20, 'qgroups count its own metadata too, unlike extent sharing');
    await d.destroy();
  });
}
