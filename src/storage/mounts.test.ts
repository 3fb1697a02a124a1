import { join } from 'node:path';
import t from 'tap';
import { PersistedMountTable } from './mounts.js';
import { readJson } from './atomic.js';

t.test('counts per holder, persisted, unknown release is a no-op', async (t) => {
  const path = join(t.testdir(), 'mounts.json');
  const table = await PersistedMountTable.load(path);
  t.equal(table.count('db'), 0);
  t.equal(await table.acquire('db', 'm1'), 1);
  t.equal(await table.acquire('db', 'm1'), 2, 'the same holder may mount twice (docker cp)');
  t.equal(await table.acquire('db', 'm2'), 3);
  t.equal(await table.acquire('web', 'm3'), 1);
  t.same(table.holders('db'), { m1: 2, m2: 1 });
  t.equal(await table.release('db', 'nobody'), 3, 'unknown holder: no-op');
  t.equal(await table.release('nowhere', 'm1'), 0, 'unknown volume: no-op');

  const reloaded = await PersistedMountTable.load(path);
  t.same(reloaded.holders('db'), { m1: 2, m2: 1 }, 'survives a restart');
  t.equal(await reloaded.release('db', 'm1'), 2);
  t.equal(await reloaded.release('db', 'm1'), 1);
  t.equal(await reloaded.release('db', 'm2'), 0);
  t.same(reloaded.volumes(), ['web']);
  t.same(await readJson(path), { mounts: { web: { m3: 1 } } });
});

t.test('concurrent changes all land in the file', async (t) => {
  const path = join(t.testdir(), 'mounts.json');
  const table = await PersistedMountTable.load(path);
  await Promise.all(Array.from({ length: 20 }, (_, i) => table.acquire('db', `h${i % 5}`)));
  t.equal(table.count('db'), 20);
  t.equal((await PersistedMountTable.load(path)).count('db'), 20);
});

t.test('a damaged file is reported', async (t) => {
  const dir = t.testdir({ 'mounts.json': '{"other":1}' });
  await t.rejects(PersistedMountTable.load(join(dir, 'mounts.json')), { code: 'corrupt' });
});
