// What bench/mirror.ts and bench/mirror-plugin.ts measure alike: files of 1 KiB written into a
// directory that something mirrors into Redis under the prefix `b:`, and for each file the time from
// its write to Redis's keyspace notification of its key.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@redis/client';
import type { TestRedis } from '../src/storage/mirror/redis.testkit.js';
import { medianOf, printTable } from './timing.js';

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Writes `count` files into `root` at `perSecond` (Infinity: as fast as possible); lags in ms. */
export async function measureLags(
  redis: TestRedis,
  root: string,
  count: number,
  perSecond: number,
): Promise<{ lags: number[]; seconds: number }> {
  await redis.cli('config', 'set', 'notify-keyspace-events', 'K$');
  const written = new Map<string, number>();
  const lags: number[] = [];
  const sub = createClient({ url: redis.url });
  await sub.connect();
  let lastSetAt = 0;
  let allDone: () => void = () => undefined;
  const allSet = new Promise<void>((resolve) => (allDone = resolve));
  // Subscribed before the first write: a burst's synchronous writes would otherwise hold the
  // SUBSCRIBE back while another process (the plugin) already sets the first keys.
  await sub.pSubscribe('__keyspace@0__:b:*', (_message, channel) => {
    const key = channel.slice('__keyspace@0__:b:'.length);
    const at = written.get(key);
    if (at === undefined) return;
    written.delete(key);
    lastSetAt = performance.now();
    lags.push(lastSetAt - at);
    if (lags.length === count) allDone();
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
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${written.size} keys missing after 120 s`)), 120_000);
  });
  try {
    await Promise.race([allSet, timeout]);
  } finally {
    clearTimeout(timer);
    await sub.close();
  }
  return { lags, seconds: (lastSetAt - start) / 1000 };
}

/** One row: label, files, events/s, lag p50, p99 and max. */
export function lagRow(label: string, count: number, events: number, r: { lags: number[]; seconds: number }) {
  return [
    label,
    String(count),
    `${Math.round(events / r.seconds)}`,
    `${medianOf(r.lags).toFixed(0)} ms`,
    `${percentile(r.lags, 99).toFixed(0)} ms`,
    `${Math.max(...r.lags).toFixed(0)} ms`,
  ];
}

/** Runs a burst of `files` and a steady 200 files/s, prints the table, then runs the cleanups. */
export async function lagBench(
  files: number,
  run: (count: number, perSecond: number, label: string) => Promise<string[]>,
  eventsColumn: string,
  cleanups: (() => Promise<unknown>)[],
): Promise<void> {
  try {
    const rows = [
      await run(files, Infinity, 'burst (as fast as possible)'),
      await run(2000, 200, 'steady, 200 files/s'),
    ];
    printTable(['writes', 'files', eventsColumn, 'lag p50', 'lag p99', 'lag max'], rows);
  } finally {
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
  }
}
