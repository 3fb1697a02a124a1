// Benchmark: commit (snapshot) and reset of a 1 GiB volume with the plain driver (on the bench
// directory's filesystem) and the reflink driver (on a loopback xfs), through the driver and through
// the Store API, next to `cp -a` of the same data in the same run; prints the ratios. Medians of 3.
// Run as root (for the xfs loop): `npx tsx bench/drivers.ts` (BENCH_DIR picks the plain filesystem).

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { DriverFactory, DriverName } from '../src/storage/drivers/driver.js';
import { run } from '../src/storage/drivers/exec.js';
import { createLoopFs, loopFsUnavailable } from '../src/storage/drivers/loopfs.testkit.js';
import { plainFactory } from '../src/storage/drivers/plain.js';
import { reflinkFactory } from '../src/storage/drivers/reflink.js';
import { openStore } from '../src/storage/store.js';
import { medianOf, printTable, sample, secs } from './timing.js';

const MiB = 1024 ** 2;
const VOLUME = 1024 * MiB;
const FILE = 64 * MiB;
const RUNS = 3;
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

type Results = Record<string, number>;

/** `cp -a` of the data (and with a sync, as durable as a commit), for comparison. */
async function baseline(src: string, scratch: string, reflink: boolean): Promise<Results> {
  const dst = path.join(scratch, 'copy');
  const cp = () => run('cp', ['-a', '--no-target-directory', src, dst], 'copying');
  const clear = () => run('rm', ['-rf', dst], 'removing the copy');
  const r: Results = {};
  r['cp -a'] = medianOf(await sample(RUNS, cp, clear));
  r['cp -a + sync'] = medianOf(
    await sample(RUNS, () => cp().then(() => run('sync', ['-f', dst], 's')), clear),
  );
  if (reflink) {
    const ref = () => run('cp', ['-a', '--reflink=always', '--no-target-directory', src, dst], 'copying');
    r['cp -a --reflink'] = medianOf(await sample(RUNS, ref, clear));
  }
  await clear();
  return r;
}

/** Snapshot and reset through the driver. */
async function viaDriver(
  factory: DriverFactory,
  root: string,
): Promise<{ commit: number; reset: number; branch: string }> {
  const d = factory.open({ root, options: {} });
  await d.createBranch('main');
  const branch = d.branchPath('main');
  await fill(branch);
  let last: string | undefined;
  const snapshot = medianOf(
    await sample(
      RUNS,
      () => d.snapshot('main', (last = nextId())),
      async () => {
        if (last !== undefined) await d.removeCommit(last);
        await touch(branch);
      },
    ),
  );
  const reset = medianOf(
    await sample(
      RUNS,
      () => d.resetBranch('main', last as string),
      () => touch(branch),
    ),
  );
  return { commit: snapshot, reset, branch };
}

/** Commit and reset --hard HEAD through openStore. */
async function viaStore(driver: DriverName, root: string): Promise<Results> {
  const store = await openStore(root, { defaultDriver: driver });
  try {
    await store.createVolume('bench', { driver });
    const vol = store.volume('bench');
    const data = await vol.dataPath();
    await fill(data);
    const commit = medianOf(
      await sample(
        RUNS,
        () => vol.commit({ message: 'bench', author: AUTHOR }),
        () => touch(data),
      ),
    );
    const reset = medianOf(
      await sample(
        RUNS,
        () => vol.reset('HEAD', { hard: true }),
        () => touch(data),
      ),
    );
    return { commit, reset };
  } finally {
    await store.close();
  }
}

async function bench(name: DriverName, factory: DriverFactory, dir: string, rows: string[][]): Promise<void> {
  const drv = await viaDriver(factory, path.join(dir, 'driver'));
  const base = await baseline(drv.branch, dir, name === 'reflink');
  await run('rm', ['-rf', path.join(dir, 'driver')], 'cleaning up');
  const store = await viaStore(name, path.join(dir, 'store'));
  const cp = base['cp -a'] as number;
  for (const [what, s] of Object.entries(base)) rows.push([name, what, secs(s), (s / cp).toFixed(2)]);
  for (const op of ['commit', 'reset'] as const) {
    rows.push([name, `driver ${op}`, secs(drv[op]), (drv[op] / cp).toFixed(2)]);
    rows.push([name, `Store ${op}`, secs(store[op] as number), ((store[op] as number) / cp).toFixed(2)]);
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
printTable(['driver', '1 GiB volume', `median of ${RUNS}`, '× cp -a'], rows);
