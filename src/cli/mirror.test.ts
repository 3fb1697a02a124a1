// dvol mirror, exclusive and watch's lines, against the real server app and a real redis-server.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { startRedis } from '../storage/mirror/redis.testkit.js';
import { cliAgainstServer } from './apiserver.testkit.js';
import { eventText } from './commands/watch.js';

const { store, dvol } = await cliAgainstServer(t);

t.test('mirror add, list, rm', async (t) => {
  const redis = await startRedis(t);
  t.equal((await dvol('init', 'cache')).code, 0);
  await writeFile(join(await store.volume('cache').dataPath(), 'key1'), 'value1\n');
  const added = await dvol('mirror', 'add', redis.url, '--prefix', 'c:');
  t.equal(added.code, 0, added.err);
  const id = /as mirror ([0-9a-f]{8}): live, 1 keys\.\n$/.exec(added.out)?.[1];
  t.ok(id, `added: ${added.out}`);
  t.equal(await redis.cli('get', 'c:key1'), 'value1\n');

  const list = await dvol('mirror', 'list');
  t.match(list.out, /^ID +VOLUME +TARGET +PREFIX +STATE +KEYS +SKIPPED\n/);
  t.match(list.out, new RegExp(`\\n${id} +cache +redis://127\\.0\\.0\\.1:\\d+/0 +c: +live +1 +0\\n$`));
  const json = JSON.parse((await dvol('mirror', 'list', '--json')).out) as { mirrors: { id: string }[] };
  t.same(
    json.mirrors.map((m) => m.id),
    [id],
  );
  t.match(await dvol('mirror', 'add', 'cache', redis.url, '--prefix', 'c:'), {
    code: 4,
    err: /already mirrored/,
  });
  t.match(await dvol('mirror', 'rm', id ?? ''), { code: 0, out: /^Removed mirror .* its keys stay\.\n$/ });
  t.match(await dvol('mirror', 'list'), { code: 0, out: /^No mirrors/ });
  t.match(await dvol('mirror', 'rm', 'feedbeef'), { code: 3, err: /there is no mirror 'feedbeef'/ });
  t.match(await dvol('mirror', 'add', 'cache', 'http://x'), { code: 2, err: /redis:\/\// });
  t.match(await dvol('mirror', 'frob'), { code: 2, err: /usage: dvol mirror add/ });
});

t.test('a Redis that is down: add says so, list shows the last error', async (t) => {
  const redis = await startRedis(t);
  await redis.stop();
  t.equal((await dvol('init', 'down')).code, 0);
  const added = await dvol('mirror', 'add', 'down', redis.url);
  t.match(added, { code: 0, out: /: retrying, 0 keys\.\nIt is retried in the background; last error: / });
  t.match((await dvol('mirror', 'list')).out, /retrying[^\n]*\n {2}last error: .* \(next try \d{4}-/);
});

t.test('exclusive shows and sets the policy; list gains a MOUNTS column', async (t) => {
  t.equal((await dvol('init', 'pg')).code, 0);
  t.same(await dvol('exclusive', 'pg'), { code: 0, out: 'pg: shared\n', err: '' });
  t.same(await dvol('exclusive', 'on', 'pg'), {
    code: 0,
    out: 'pg is now exclusive (one container at a time).\n',
    err: '',
  });
  t.same(JSON.parse((await dvol('exclusive', '--json', 'pg')).out), { volume: 'pg', exclusive: true });
  const list = (await dvol('list')).out.split('\n');
  t.match(list[0], /CONTAINERS +MOUNTS$/);
  t.match(
    list.find((l) => l.includes(' pg ')),
    / exclusive$/,
  );
  t.equal((await dvol('exclusive', 'off')).code, 0, 'the active volume');
});

t.test("watch's lines", async (t) => {
  const time = '2026-12-02T04:10:11.123Z';
  const v = { time, volume: 'db' };
  t.equal(eventText({ ...v, type: 'created', path: 'a/b', kind: 'dir' }), '04:10:11.123 created  a/b/');
  t.equal(
    eventText({ ...v, type: 'renamed', from: 'key2', path: 'new_key', kind: 'file' }),
    '04:10:11.123 renamed  key2 -> new_key',
  );
  t.equal(
    eventText({ ...v, type: 'reset', branch: 'master', commit: 'f'.repeat(40) }),
    '04:10:11.123 reset    master at fffffff',
  );
  t.equal(eventText({ ...v, type: 'mount', id: 'a'.repeat(64) }), '04:10:11.123 mount    by mount aaaaaaa');
});
