// `dvol du`: per commit and scheduled snapshot, the bytes only it holds (what deleting it would free),
// as far as its driver can tell, through the driver's size().

import { loadRecord, type VolumeContext } from './context.js';
import { driverCapabilities, type DriverName } from './drivers/index.js';
import { readAllCommits } from './meta.js';
import type { Commit } from './model.js';
import { snapshotsOf } from './record-refs.js';

/** One commit's or snapshot's data. */
export interface DuEntry {
  commit: Commit;
  /** The branch a scheduled snapshot was taken of; absent for a user's commit. */
  snapshotOf?: string;
  /** Apparent size of its data. */
  bytes: number;
  /** Bytes only it holds: deleting it frees them. Absent when the driver cannot tell. */
  exclusive?: number;
}

export interface DuReport {
  volume: string;
  driver: DriverName;
  /** How `exclusive` is known on this driver, in one sentence. */
  method: string;
  /** Newest first; commits whose data was deleted are left out. */
  entries: DuEntry[];
  branches: { name: string; bytes: number; exclusive?: number }[];
  /** Sums of `exclusive` (absent when some are unknown): at least what deleting them all frees. */
  totals: { commits?: number; snapshots?: number };
}

/** Measures every commit, snapshot and branch of a volume. Caller holds the volume's lock. */
export async function diskUsage(ctx: VolumeContext): Promise<DuReport> {
  const record = await loadRecord(ctx);
  const driver = ctx.driver(record);
  const snapshots = new Map(snapshotsOf(record));
  const entries: DuEntry[] = [];
  for (const commit of (await readAllCommits(ctx.paths)).values()) {
    if (commit.dataDeleted) continue;
    const size = await driver.size({ commit: commit.id });
    const branch = snapshots.get(commit.id)?.branch;
    entries.push({ commit, ...(branch === undefined ? {} : { snapshotOf: branch }), ...size });
  }
  entries.sort((a, b) => (a.commit.date < b.commit.date ? 1 : a.commit.date > b.commit.date ? -1 : 0));
  const branches = [];
  for (const name of Object.keys(record.branches))
    branches.push({ name, ...(await driver.size({ branch: name })) });
  return {
    volume: ctx.name,
    driver: record.driver,
    method: driverCapabilities(record.driver).exclusiveBytes,
    entries,
    branches,
    totals: {
      ...sum(
        entries.filter((e) => e.snapshotOf === undefined),
        'commits',
      ),
      ...sum(
        entries.filter((e) => e.snapshotOf !== undefined),
        'snapshots',
      ),
    },
  };
}

function sum(entries: DuEntry[], key: 'commits' | 'snapshots'): DuReport['totals'] {
  let total = 0;
  for (const e of entries) {
    if (e.exclusive === undefined) return {};
    total += e.exclusive;
  }
  return { [key]: total };
}
