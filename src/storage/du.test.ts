// `du` on a real plain store: each commit and snapshot measured, the exact bytes only it holds.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { AUTHOR, commitFile, storeWithVolume } from './store.testkit.js';

t.test('every commit and snapshot with data, newest first, and the totals', async (t) => {
  const { vol } = await storeWithVolume(t);
  const dir = await vol.dataPath();
  await writeFile(join(dir, 'big'), Buffer.alloc(256 * 1024, 1));
  const first = (await vol.commit({ message: 'one', author: AUTHOR })).id;
  await writeFile(join(dir, 'more'), Buffer.alloc(64 * 1024, 2));
  const snap = await vol.snapshot({ message: 'scheduled', author: AUTHOR, date: new Date() });
  const second = await commitFile(vol, 'f', 'x');
  await vol.deleteCommitData(first);
  const report = await vol.du();
  t.match(report, { volume: 'vol', driver: 'plain', method: /^exact/ });
  t.same(
    report.entries.map((e) => [e.commit.id, e.snapshotOf]),
    [
      [second, undefined],
      [snap.id, 'master'],
    ],
    'the commit without data is left out; the snapshot says whose it is',
  );
  const s = report.entries[1]!;
  t.ok(s.bytes >= 320 * 1024 && s.bytes < 330 * 1024, `apparent bytes, directories included (${s.bytes})`);
  t.ok(s.exclusive !== undefined && s.exclusive >= 320 * 1024, 'a full copy holds all its blocks');
  t.equal(report.totals.snapshots, s.exclusive);
  t.equal(report.totals.commits, report.entries[0]!.exclusive);
  t.match(report.branches, [{ name: 'master', bytes: s.bytes + 1 }], 'the branch: the snapshot and one byte');
});
