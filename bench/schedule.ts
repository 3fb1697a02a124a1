// Benchmark: what one scheduled snapshot costs in the storage layer on each driver (plain on the
// bench directory's filesystem, reflink on a loopback xfs, btrfs on a loopback btrfs): the check of a
// clean volume (a skipped run) and a run that takes a snapshot after one file changed, retention
// included. 64 MiB in one file plus 2000 small files. Medians of 5. Container pauses are Docker's
// and not in these figures (test/e2e/schedule.test.ts prints a whole run in the plugin).
// Run as root: `npx tsx bench/schedule.ts`.

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { DriverName } from '../src/storage/drivers/index.js';
import { createLoopFs, loopFsUnavailable, type LoopFsType } from '../src/storage/drivers/loopfs.testkit.js';
import { openStore } from '../src/storage/store.js';
import { medianOf, printTable, sample, secs } from './timing.js';

const RUNS = 5;
const AUTHOR = 'dvol scheduler <scheduler@dvol>';
const POLICY = { rules: [], keepLast: 3 };

async function measure(driver: DriverName, parent: string): Promise<string[]> {
  const root = await fs.mkdtemp(path.join(parent, 'dvol-bench-schedule-'));
  const store = await openStore(path.join(root, 'state'), { defaultDriver: driver });
  try {
    await store.createVolume('bench');
    const vol = store.volume('bench');
    const dir = await vol.dataPath();
    await fs.writeFile(path.join(dir, 'big'), randomBytes(64 * 1024 ** 2));
    await fs.mkdir(path.join(dir, 'small'));
    for (let i = 0; i < 2000; i++) await fs.writeFile(path.join(dir, 'small', `${i}`), `${i}\n`);
    await vol.commit({ message: 'base', author: AUTHOR });
    let n = 0;
    const taken = await sample(
      RUNS,
      async () => {
        if (await vol.snapshotNeeded())
          await vol.snapshot({ message: 's', author: AUTHOR, date: new Date() });
        await vol.pruneSnapshots(POLICY, Date.now());
      },
      () => fs.writeFile(path.join(dir, 'small', `${n++ % 2000}`), `changed ${n}\n`),
    );
    const skipped = await sample(RUNS, () => vol.snapshotNeeded());
    return [driver, secs(medianOf(skipped)), secs(medianOf(taken))];
  } finally {
    await store.close();
    // On a loopback filesystem the whole image goes (btrfs' read-only snapshots refuse rm).
    if (driver === 'plain') await fs.rm(root, { recursive: true, force: true });
  }
}

const rows: string[][] = [];
rows.push(await measure('plain', process.env.BENCH_DIR ?? os.tmpdir()));
for (const [driver, fsType] of [
  ['reflink', 'xfs'],
  ['btrfs', 'btrfs'],
] as [DriverName, LoopFsType][]) {
  const why = await loopFsUnavailable(fsType);
  if (why) {
    rows.push([driver, `skipped: ${why}`, '']);
    continue;
  }
  const loop = await createLoopFs(fsType, 1024 ** 3);
  try {
    rows.push(await measure(driver, loop.mountpoint));
  } finally {
    await loop.dispose();
  }
}
printTable(['driver', 'clean: check only (skipped run)', 'changed: check + snapshot + retention'], rows);
