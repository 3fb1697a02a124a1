// Benchmark: commit (snapshot) and reset of a 1 GiB volume with the plain driver (on the bench
// directory's filesystem) and the reflink driver (on a loopback xfs), through the driver and through
// the Store API, next to `cp -a` of the same data in the same run; prints the ratios. Medians of 5.
// Run as root (for the xfs loop): `npx tsx bench/drivers.ts` (BENCH_DIR picks the plain filesystem).

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { DriverFactory, DriverName } from '../src/storage/drivers/index.js';
import { run } from '../src/storage/drivers/exec.js';
import { createLoopFs, loopFsUnavailable } from '../src/storage/drivers/loopfs.testkit.js';
import { plainFactory } from '../src/storage/drivers/plain.js';
import { reflinkFactory } from '../src/storage/drivers/reflink.js';
import { openStore } from '../src/storage/store.js';
import { medianOf, printTable, sample, secs } from './timing.js';

const MiB = 1024 ** 2;
const VOLUME = 1024 * MiB;
const FILE = 64 * MiB;
const RUNS = 5;
const AUTHOR = 'Bench <bench@example.com>';

/** 1 GiB of incompressible data in 64 MiB files, like a database's, flushed to disk. */
async function fill(dir: string): Promise<void> {
  const block = randomBytes(FILE);
  for (let n = 0; n * FILE < VOLUME; n++) {
    block.writeUInt32LE(n, 0); // each file differs
    await fs.writeFile(path.join(dir, `data${n}`), block);
  }
  await run('sync', ['-f', dir], 'flushing the data');
}

let serial = 0;
const nextId = () => (++serial).toString(16).padStart(40, '0');
/** A small write between runs, so each commit and reset has something to do. */
const touch = (dir: string) => fs.writeFile(path.join(dir, `edit${++serial}`), 'x');

/**
 * Waits until the trash directories under `dir` are empty: plain and reflink delete discarded data in
 * the background after a call returns, and that deletion must not fall into the next timing.
 */
async function trashEmptied(dir: string): Promise<void> {
  const trashes = [
    path.join(dir, 'driver', 'trash'),
    path.join(dir, 'store', 'volumes', 'bench', 'data', 'trash'),
  ];
  const pending = async () => {
    for (const t of trashes) if ((await fs.readdir(t).catch(() => [])).length > 0) return true;
    return false;
  };
  while (await pending()) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** One timed operation: `prepare` runs untimed before each timing. */
interface Op {
  prepare?: () => Promise<unknown>;
  work: () => Promise<unknown>;
}

/**
 * The operations timed on one filesystem: `cp -a` of the data alone and with a sync (as durable as a
 * commit must be; coreutils 9's `cp` reflinks by default where it can, so on a reflink filesystem a
 * full copy is timed too), and commit and reset through the driver and through the Store API.
 */
async function operations(
  name: DriverName,
  factory: DriverFactory,
  dir: string,
): Promise<Record<string, Op>> {
  const d = factory.open({ root: path.join(dir, 'driver'), options: {} });
  await d.createBranch('main');
  const branch = d.branchPath('main');
  await fill(branch);
  let last = nextId();
  await d.snapshot('main', last);

  const store = await openStore(path.join(dir, 'store'), { defaultDriver: name });
  await store.createVolume('bench', { driver: name });
  const vol = store.volume('bench');
  const data = await vol.dataPath();
  await fill(data);
  let head = (await vol.commit({ message: 'bench', author: AUTHOR })).id;
  const stale: string[] = [];
  const staleHeads: string[] = [];

  const dst = path.join(dir, 'copy');
  const clear = () => run('rm', ['-rf', dst], 'removing the copy');
  const cp = (...opts: string[]) => ({
    prepare: clear,
    work: () => run('cp', ['-a', ...opts, '--no-target-directory', branch, dst], 'copying'),
  });
  const synced = (op: Op): Op => ({
    ...op,
    work: () => op.work().then(() => run('sync', ['-f', dst], 'sync')),
  });
  return {
    'cp -a': cp(),
    'cp -a + sync': synced(cp()),
    ...(name === 'reflink' ? { 'cp -a --reflink=never + sync': synced(cp('--reflink=never')) } : {}),
    'driver commit': {
      prepare: async () => {
        for (const id of stale.splice(0)) await d.removeCommit(id); // keeps the disk free
        await touch(branch);
      },
      work: async () => {
        stale.push(last);
        await d.snapshot('main', (last = nextId()));
      },
    },
    'driver reset': { prepare: () => touch(branch), work: () => d.resetBranch('main', last) },
    'Store commit': {
      prepare: async () => {
        for (const id of staleHeads.splice(0)) await vol.deleteCommitData(id);
        await touch(data);
      },
      work: async () => {
        staleHeads.push(head);
        head = (await vol.commit({ message: 'bench', author: AUTHOR })).id;
      },
    },
    'Store reset': { prepare: () => touch(data), work: () => vol.reset('HEAD', { hard: true }) },
    close: { work: () => store.close() },
  };
}

/**
 * Runs every operation RUNS times in interleaved rounds (alternating order), with the filesystem
 * synced untimed before each timing, so that load from other jobs and leftover dirty data fall on
 * all rows alike. Adds rows with medians and ratios to `cp -a` and to `cp -a + sync`.
 */
async function bench(name: DriverName, factory: DriverFactory, dir: string, rows: string[][]): Promise<void> {
  const { close, ...ops } = await operations(name, factory, dir);
  const times: Record<string, number[]> = {};
  for (let round = 0; round < RUNS; round++) {
    const names = Object.keys(ops);
    for (const op of round % 2 === 0 ? names : names.reverse()) {
      const { prepare, work } = ops[op] as Op;
      const [t] = await sample(1, work, async () => {
        await prepare?.();
        await trashEmptied(dir);
        await run('sync', ['-f', dir], 'sync');
      });
      (times[op] ??= []).push(t as number);
    }
  }
  await close?.work();
  const median = (op: string) => medianOf(times[op] ?? []);
  for (const op of Object.keys(ops)) {
    const t = median(op);
    rows.push([name, op, secs(t), (t / median('cp -a')).toFixed(2), (t / median('cp -a + sync')).toFixed(2)]);
  }
}

const rows: string[][] = [];
const plainDir = await fs.mkdtemp(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'dvol-bench-drv-'));
try {
  await bench('plain', plainFactory, plainDir, rows);
} finally {
  await run('rm', ['-rf', plainDir], 'cleaning up');
}
const noXfs = await loopFsUnavailable('xfs');
if (noXfs) console.log(`reflink skipped: ${noXfs}`);
else {
  const loop = await createLoopFs('xfs', 4 * 1024 * MiB);
  try {
    await bench('reflink', reflinkFactory, loop.mountpoint, rows);
  } finally {
    await loop.dispose();
  }
}
console.log(
  `\n${os.cpus().length} CPUs (${os.cpus()[0]?.model}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM\n`,
);
printTable(['driver', '1 GiB volume', `median of ${RUNS}`, '× cp -a', '× cp -a + sync'], rows);
