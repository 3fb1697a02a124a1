// The Redis mirror against a real redis-server: the mdvp seed's own test script, nested directories,
// a reset of the data underneath, Redis going away and coming back, and files that are not mirrored.
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { watchData } from '../watch/watcher.js';
import { RedisMirror, type MirrorOptions } from './redis-mirror.js';
import { startRedis } from './redis.testkit.js';
import { parseRedisTarget } from './target.js';

type Fixture = Parameters<Test['testdir']>[0];

async function mirrored(t: Test, files: Fixture = {}, prefix = '', options: MirrorOptions = {}) {
  const redis = await startRedis(t);
  const root = t.testdir(files);
  const logs: string[] = [];
  const mirror = new RedisMirror(root, parseRedisTarget(redis.url, prefix), {
    retryMinMs: 100,
    retryMaxMs: 400,
    log: (m) => logs.push(m),
    ...options,
  });
  await mirror.start();
  const watch = await watchData(root, (events) => mirror.apply(events), { settleMs: 30, maxDelayMs: 300 });
  t.teardown(async () => {
    await watch.close();
    await mirror.close();
  });
  /** Waits until redis-cli prints `want` for `args` (the watch and the mirror run asynchronously). */
  const eventually = async (want: string, ...args: string[]) => {
    let got = '';
    for (let i = 0; i < 150; i++) {
      got = await redis.cli(...args).catch((e: Error) => `error: ${e.message}`);
      if (got === want) return got;
      await new Promise((r) => setTimeout(r, 20));
    }
    return got;
  };
  return { redis, root, mirror, logs, eventually };
}

t.test("the mdvp seed's test script", async (t) => {
  const { root, eventually, redis } = await mirrored(t);
  t.equal(await redis.cli('get', 'key1'), '', 'key1: nil, nothing yet');
  writeFileSync(join(root, 'key1'), 'value1\n');
  writeFileSync(join(root, 'key2'), 'value2\n');
  t.equal(await eventually('value1\n', 'get', 'key1'), 'value1\n');
  t.equal(await eventually('value2\n', 'get', 'key2'), 'value2\n');
  rmSync(join(root, 'key1'));
  t.equal(await eventually('0', 'exists', 'key1'), '0', 'rm key1 → nil');
  renameSync(join(root, 'key2'), join(root, 'new_key'));
  t.equal(await eventually('value2\n', 'get', 'new_key'), 'value2\n', 'mv key2 new_key → new_key = value2');
  t.equal(await redis.cli('exists', 'key2'), '0', 'and key2 is nil');
  writeFileSync(join(root, 'new_key'), 'hi\n');
  t.equal(await eventually('hi\n', 'get', 'new_key'), 'hi\n', 'overwrite → hi');
});

t.test('nested directories, their moves and their removal', async (t) => {
  const { root, eventually, redis } = await mirrored(t, {}, 'app:');
  mkdirSync(join(root, 'conf/db'), { recursive: true });
  writeFileSync(join(root, 'conf/db/host'), 'localhost');
  t.equal(await eventually('localhost', 'get', 'app:conf/db/host'), 'localhost');
  renameSync(join(root, 'conf'), join(root, 'settings'));
  t.equal(await eventually('localhost', 'get', 'app:settings/db/host'), 'localhost');
  t.equal(await redis.cli('exists', 'app:conf/db/host'), '0');
  rmSync(join(root, 'settings'), { recursive: true });
  t.equal(await eventually('0', 'exists', 'app:settings/db/host'), '0');
});

t.test('the first sync copies what is there and removes stale keys under the prefix only', async (t) => {
  const redis = await startRedis(t);
  await redis.cli('set', 'p:old', 'stale');
  await redis.cli('set', 'other', 'kept');
  const root = t.testdir({ a: 'A', d: { b: 'B' } });
  const mirror = new RedisMirror(root, parseRedisTarget(redis.url, 'p:'));
  t.teardown(() => mirror.close());
  await mirror.start();
  t.equal(await redis.cli('get', 'p:a'), 'A');
  t.equal(await redis.cli('get', 'p:d/b'), 'B');
  t.equal(await redis.cli('exists', 'p:old'), '0', 'a key for no file is removed');
  t.equal(await redis.cli('get', 'other'), 'kept', 'keys outside the prefix are not touched');
  t.match(mirror.status(), { state: 'live', keys: 2, skipped: 0, target: redis.url });
});

t.test('a resync after the data changed underneath (a reset) makes Redis match it', async (t) => {
  const { root, mirror, redis } = await mirrored(t, { a: 'before', gone: 'x' });
  // What a reset does: the data is replaced at once, under the watch.
  writeFileSync(join(root, 'a'), 'after');
  rmSync(join(root, 'gone'));
  await mirror.resync();
  t.equal(await redis.cli('get', 'a'), 'after');
  t.equal(await redis.cli('exists', 'gone'), '0');
});

t.test(
  'Redis down: retried with backoff, state and last error shown, caught up when it is back',
  async (t) => {
    const { root, mirror, redis, eventually } = await mirrored(t, { a: '1' });
    await redis.stop();
    writeFileSync(join(root, 'a'), '2');
    writeFileSync(join(root, 'b'), 'new');
    await t.resolves(async () => {
      for (let i = 0; i < 100 && mirror.status().state !== 'retrying'; i++)
        await new Promise((r) => setTimeout(r, 20));
    });
    const down = mirror.status();
    t.equal(down.state, 'retrying');
    t.match(down.lastError, /127\.0\.0\.1/);
    t.ok(down.retryAt, 'the next retry is shown');
    await redis.start();
    t.equal(await eventually('2', 'get', 'a'), '2', 'the change made while Redis was down arrives');
    t.equal(await eventually('new', 'get', 'b'), 'new');
    t.equal(mirror.status().state, 'live');
  },
);

t.test('files that are not mirrored: too large, FIFOs, symlinks', async (t) => {
  const { root, redis, logs, eventually } = await mirrored(t, { small: 'ok' }, '', { maxValueBytes: 10 });
  writeFileSync(join(root, 'big'), 'x'.repeat(11));
  execFileSync('mkfifo', [join(root, 'pipe')]);
  execFileSync('ln', ['-s', '/etc/passwd', join(root, 'link')]);
  writeFileSync(join(root, 'marker'), 'm');
  t.equal(await eventually('m', 'get', 'marker'), 'm');
  t.equal(await redis.cli('exists', 'big'), '0');
  t.equal(await redis.cli('exists', 'pipe'), '0');
  t.equal(await redis.cli('exists', 'link'), '0', 'a symlink is never followed into the host');
  t.ok(
    logs.some((l) => /big is not mirrored: larger than/.test(l)),
    'the reason is logged',
  );
  // A file that grows past the limit loses its key rather than keep a stale value.
  writeFileSync(join(root, 'small'), 'now far too large');
  t.equal(await eventually('0', 'exists', 'small'), '0');
});

t.test('URLs: credentials never shown, bad URLs refused with one sentence', async (t) => {
  const target = parseRedisTarget('redis://user:s3cret@127.0.0.1:6379/2', 'p:');
  t.equal(target.display, 'redis://127.0.0.1:6379/2');
  t.throws(() => parseRedisTarget('http://x'), { code: 'invalid', message: /redis:\/\// });
  t.throws(() => parseRedisTarget('redis://h/abc'), { code: 'invalid' });
  t.throws(() => parseRedisTarget('not a url'), { code: 'invalid' });
  t.throws(() => parseRedisTarget('redis://h', 'x'.repeat(300)), { code: 'invalid' });
  const mirror = new RedisMirror('/nonexistent', parseRedisTarget('redis://u:s3cret@127.0.0.1:1/0'), {
    retryMinMs: 60_000,
  });
  await mirror.start();
  const st = mirror.status();
  await mirror.close();
  t.equal(st.state, 'retrying');
  t.notMatch(JSON.stringify(st), /s3cret/, 'the password appears nowhere in the status');
});
