// Change events and the Redis mirror under a write burst: how many file events per second the watch
// settles, and how long after a file is written its key holds the new value (p50/p99), measured by
// Redis's own keyspace notifications, against a real redis-server on loopback.
//   npx tsx bench/mirror.ts [FILES]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisMirror } from '../src/storage/mirror/redis-mirror.js';
import { startRedis } from '../src/storage/mirror/redis.testkit.js';
import { parseRedisTarget } from '../src/storage/mirror/target.js';
import { watchData } from '../src/storage/watch/watcher.js';
import { lagBench, lagRow, measureLags } from './mirror-lag.js';

const FILES = Number(process.argv[2] ?? 5000);
const cleanups: (() => Promise<unknown>)[] = [];

/** Writes `count` files of 1 KiB at `perSecond` (Infinity: as fast as possible); one row. */
async function run(count: number, perSecond: number, label: string): Promise<string[]> {
  const redis = await startRedis({ teardown: (fn) => void cleanups.push(fn) });
  const root = mkdtempSync(join(tmpdir(), 'dvol-mirror-bench-'));
  cleanups.push(async () => rmSync(root, { recursive: true, force: true }));
  const mirror = new RedisMirror(root, parseRedisTarget(redis.url, 'b:'));
  await mirror.start();
  let events = 0;
  const watch = await watchData(root, (evs) => {
    events += evs.length;
    return mirror.apply(evs);
  });
  const measured = await measureLags(redis, root, count, perSecond);
  await watch.close();
  await mirror.close();
  return lagRow(label, count, events, measured);
}

await lagBench(FILES, run, 'events/s settled', cleanups);
