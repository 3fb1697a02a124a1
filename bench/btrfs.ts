// Benchmark: commit, checkout -b and reset on the btrfs driver at 10 MiB, 1 GiB and up to 10 GiB, through
// the driver and through openStore, next to `cp -a` and a raw `btrfs subvolume snapshot`, in one run.
// Run as root: `npx tsx bench/btrfs.ts` (BENCH_MAX_GIB=N caps the largest size; default 10).

import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { btrfsFactory, type BtrfsDriver } from '../src/storage/drivers/btrfs/driver.js';
import { createLoopFs, loopFsUnavailable } from '../src/storage/drivers/loopfs.testkit.js';
import { run } from '../src/storage/drivers/exec.js';
import { openStore } from '../src/storage/store.js';
import { median, printSizeTable, timeIt, writeData, type Row } from './btrfs-timing.js';
import { medianOf } from './timing.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const RUNS = 9;
const AUTHOR = 'Bench <bench@example.com>';
let serial = 0;
const commitId = () => (++serial).toString(16).padStart(40, '0');
/** Untimed before each run: a small edit, then a sync so no earlier writeback lands in the timing. */
const touch = async (dir: string) => {
  await fs.writeFile(path.join(dir, `edit${++serial}`), 'x');
  await settle(dir);
};
const settle = (dir: string) => run('btrfs', ['filesystem', 'sync', dir], 'sync');

/** The largest size the disk allows (image holds the data plus one full copy), capped. */
function largestSize(): number {
  const cap = Number(process.env.BENCH_MAX_GIB ?? 10) * GiB;
  const avail = Number(
    execFileSync('df', ['-B1', '--output=avail', os.tmpdir()], { encoding: 'utf8' }).split('\n')[1],
  );
  return Math.min(cap, Math.floor((avail - 5 * GiB) / 2.5 / GiB) * GiB);
}

/** One timed operation: `prepare` runs untimed before each timing of `work`. */
interface Op {
  prepare: () => Promise<unknown>;
  work: () => Promise<unknown>;
}

/** A volume of one size, set up for every operation, and how to tear it down. */
interface Fixture {
  ops: Record<string, Op>;
  close(): Promise<void>;
}

/** Driver-level operations on a branch holding a reflinked copy of `seed`. */
async function driverFixture(mnt: string, seed: string, k: number): Promise<Fixture> {
  const root = path.join(mnt, `drv${k}`);
  await fs.mkdir(root);
  const d = btrfsFactory.open({ root, options: {} }) as BtrfsDriver;
  await d.createBranch('main');
  const main = d.branchPath('main');
  await run('cp', ['-a', '--reflink=always', `${seed}/.`, main], 'filling the branch');
  const base = commitId();
  await d.snapshot('main', base);
  let head = base;
  const raws: string[] = [];
  const ops: Record<string, Op> = {
    'driver.commit': { prepare: () => touch(main), work: () => d.snapshot('main', (head = commitId())) },
    'driver.clean': { prepare: () => settle(main), work: () => d.hasChanges('main', head) },
    'driver.dirty': { prepare: () => touch(main), work: () => d.hasChanges('main', head) },
    'driver.branch': { prepare: () => settle(main), work: () => d.branchFromCommit(base, `b${++serial}`) },
    'driver.reset': { prepare: () => touch(main), work: () => d.resetBranch('main', (head = base)) },
    'driver.raw': {
      prepare: () => settle(main),
      work: () => {
        raws.push(path.join(mnt, `raw${k}-${raws.length}`));
        return run('btrfs', ['subvolume', 'snapshot', '-r', main, raws.at(-1)!], 'raw snapshot');
      },
    },
  };
  const close = async () => {
    await run('btrfs', ['subvolume', 'delete', ...raws], 'deleting raw snapshots');
    await d.destroy();
  };
  return { ops, close };
}

/** Store-level operations (what `dvol commit`, `checkout -b`, `reset --hard` run, minus CLI and HTTP). */
async function storeFixture(mnt: string, seed: string, k: number): Promise<Fixture> {
  const store = await openStore(path.join(mnt, `state${k}`));
  await store.createVolume('bench', { driver: 'btrfs' });
  const vol = store.volume('bench');
  const data = await vol.dataPath();
  await run('cp', ['-a', '--reflink=always', `${seed}/.`, data], 'filling the volume');
  await vol.commit({ message: 'load', author: AUTHOR });
  // Each checkout -b starts from the branch made before: the cost is the same, no checkout back needed.
  const ops: Record<string, Op> = {
    'store.commit': { prepare: () => touch(data), work: () => vol.commit({ message: 'm', author: AUTHOR }) },
    'store.branch': { prepare: () => settle(data), work: () => vol.createBranch(`b${++serial}`) },
    'store.reset': { prepare: () => touch(data), work: () => vol.reset('HEAD', { hard: true }) },
  };
  const close = async () => {
    await store.removeVolume('bench');
    await store.close();
  };
  return { ops, close };
}

/**
 * Times every operation RUNS times at every size, interleaving sizes within each round (alternating
 * their order) so that load from elsewhere on the machine falls on all sizes alike. Medians per size.
 */
async function timeInterleaved(fixtures: Fixture[]): Promise<Record<string, number[]>> {
  const samples: Record<string, number[][]> = {};
  for (let round = 0; round < RUNS; round++) {
    const order = fixtures.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const key of Object.keys(fixtures[0]?.ops ?? {})) {
      samples[key] ??= fixtures.map(() => []);
      for (const i of order) {
        const op = fixtures[i]!.ops[key]!;
        await op.prepare();
        samples[key][i]!.push(await timeIt(op.work));
      }
    }
  }
  const medians: Record<string, number[]> = {};
  for (const [key, perSize] of Object.entries(samples)) medians[key] = perSize.map(medianOf);
  return medians;
}

/** `cp -a` without reflinks (what a full copy costs); the copy is deleted untimed after each run. */
async function copyTime(mnt: string, seed: string, runs: number): Promise<number> {
  const target = path.join(mnt, 'cp-target');
  return median(
    runs,
    () => run('cp', ['-a', '--reflink=never', seed, target], 'cp -a'),
    () => fs.rm(target, { recursive: true, force: true }),
  ).finally(() => fs.rm(target, { recursive: true, force: true }));
}

async function main(): Promise<void> {
  const why = await loopFsUnavailable('btrfs');
  if (why) throw new Error(`cannot run the btrfs benchmark: ${why}`);
  const largest = largestSize();
  const sizes = [10 * MiB, GiB, ...(largest > GiB ? [largest] : [])];
  const labels = sizes.map((s) => (s < GiB ? `${s / MiB} MiB` : `${s / GiB} GiB`));
  console.log(`btrfs benchmark: sizes ${labels.join(', ')}; loopback image in ${os.tmpdir()}`);
  const started = Date.now();
  const loop = await createLoopFs('btrfs', Math.ceil((2.5 * sizes.at(-1)!) / GiB + 3) * GiB);
  let rows: Record<string, number[]> = {};
  try {
    const seeds: string[] = [];
    const fixtures: Fixture[] = [];
    for (const [k, size] of sizes.entries()) {
      seeds.push(path.join(loop.mountpoint, `seed${k}`));
      await fs.mkdir(seeds[k]!);
      await writeData(seeds[k]!, size);
      await settle(seeds[k]!);
      console.log(`  ${labels[k]}: data written`);
    }
    for (const [k, seed] of seeds.entries()) fixtures.push(await driverFixture(loop.mountpoint, seed, k));
    rows = await timeInterleaved(fixtures);
    for (const f of fixtures.splice(0)) await f.close();
    for (const [k, seed] of seeds.entries()) fixtures.push(await storeFixture(loop.mountpoint, seed, k));
    rows = { ...rows, ...(await timeInterleaved(fixtures)) };
    for (const f of fixtures) await f.close();
    rows.cp = [];
    for (const [k, seed] of seeds.entries()) {
      rows.cp.push(await copyTime(loop.mountpoint, seed, (sizes[k] ?? 0) > GiB ? 1 : 3));
    }
  } finally {
    await loop.dispose();
  }
  const names: Array<[string, string]> = [
    ['store.commit', 'commit (openStore: volume.commit)'],
    ['store.branch', 'checkout -b (openStore: volume.createBranch)'],
    ['store.reset', 'reset --hard (openStore: volume.reset)'],
    ['driver.commit', 'driver.snapshot'],
    ['driver.branch', 'driver.branchFromCommit'],
    ['driver.reset', 'driver.resetBranch'],
    ['driver.clean', 'driver.hasChanges, clean (generation fast path)'],
    ['driver.dirty', 'driver.hasChanges, one new file (send --no-data)'],
    ['driver.raw', 'btrfs subvolume snapshot -r (raw, incl. process start)'],
    ['cp', 'cp -a --reflink=never (largest size: 1 run)'],
  ];
  console.log('');
  printSizeTable(
    labels,
    names.map(([key, op]): Row => ({ op, seconds: rows[key] ?? [] })),
  );
  const load = os.loadavg()[0]?.toFixed(1);
  const total = Math.round((Date.now() - started) / 1000);
  console.log(
    `\nmedians of ${RUNS} runs; ${os.cpus().length} CPUs, load ${load}, kernel ${os.release()}; total ${total} s`,
  );
}

await main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
