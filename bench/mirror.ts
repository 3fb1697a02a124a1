// Change events and the Redis mirror under a write burst: how many file events per second the watch
// settles, and how long after a file is written its key holds the new value (p50/p99), measured by
// Redis's own keyspace notifications, against a real redis-server on loopback.
//   npx tsx bench/mirror.ts [FILES]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@redis/client';
import { RedisMirror } from '../src/storage/mirror/redis-mirror.js';
import { startRedis } from '../src/storage/mirror/redis.testkit.js';
import { parseRedisTarget } from '../src/storage/mirror/target.js';
import { watchData } from '../src/storage/watch/watcher.js';
import { medianOf, printTable } from './timing.js';

const FILES = Number(process.argv[2] ?? 5000);
const cleanups: (() => Promise<void>)[] = [];

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Writes `count` files of 1 KiB at `perSecond` (Infinity: as fast as possible); returns lags in ms. */
async function run(count: number, perSecond: number, label: string): Promise<string[]> {
  const redis = await startRedis({ teardown: (fn) => void cleanups.push(fn) });
  await redis.cli('config', 'set', 'notify-keyspace-events', 'K$');
  const root = mkdtempSync(join(tmpdir(), 'dvol-mirror-bench-'));
  cleanups.push(async () => rmSync(root, { recursive: true, force: true }));
  const mirror = new RedisMirror(root, parseRedisTarget(redis.url, 'b:'));
  await mirror.start();
  let events = 0;
  const watch = await watchData(root, (evs) => {
    events += evs.length;
    return mirror.apply(evs);
  });
  const written = new Map<string, number>();
  const lags: number[] = [];
  const sub = createClient({ url: redis.url });
  await sub.connect();
  let lastSetAt = 0;
  const allSet = new Promise<void>((resolve) => {
    void sub.pSubscribe('__keyspace@0__:b:*', (_message, channel) => {
      const key = channel.slice('__keyspace@0__:b:'.length);
      const at = written.get(key);
      if (at === undefined) return;
      written.delete(key);
      lastSetAt = performance.now();
      lags.push(lastSetAt - at);
      if (lags.length === count) resolve();
    });
  });
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const name = `f${i}`;
    written.set(name, performance.now());
    writeFileSync(join(root, name), Buffer.alloc(1024, i % 251));
    if (Number.isFinite(perSecond)) {
      const due = start + ((i + 1) * 1000) / perSecond;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }
  const timeout = new Promise<void>((_, reject) =>
    setTimeout(() => reject(new Error('keys missing after 120 s')), 120_000),
  );
  await Promise.race([allSet, timeout]);
  const seconds = (lastSetAt - start) / 1000;
  await watch.close();
  await mirror.close();
  await sub.close();
  return [
    label,
    String(count),
    `${Math.round(events / seconds)}`,
    `${medianOf(lags).toFixed(0)} ms`,
    `${percentile(lags, 99).toFixed(0)} ms`,
    `${Math.max(...lags).toFixed(0)} ms`,
  ];
}

try {
  const rows = [
    await run(FILES, Infinity, 'burst (as fast as possible)'),
    await run(2000, 200, 'steady, 200 files/s'),
  ];
  printTable(['writes', 'files', 'events/s settled', 'lag p50', 'lag p99', 'lag max'], rows);
} finally {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
}
