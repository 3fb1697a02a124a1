// What the btrfs benchmark adds to bench/timing.ts: a data writer and its table with a size ratio.

import { promises as fs } from 'node:fs';
import path from 'node:path';

import { medianOf, printTable, sample, secs } from './timing.js';

/** Seconds one run of `work` took. */
export async function timeIt(work: () => Promise<unknown>): Promise<number> {
  const [seconds] = await sample(1, work);
  return seconds ?? NaN;
}

/** Median seconds of `runs` timings of `work`, with `prepare` run untimed before each. */
export async function median(
  runs: number,
  work: () => Promise<unknown>,
  prepare?: () => Promise<unknown>,
): Promise<number> {
  return medianOf(await sample(runs, work, prepare));
}

const FILE = 64 * 1024 ** 2;

/** Fills `dir` with `bytes` of incompressible data in files of up to 64 MiB (like a database's). */
export async function writeData(dir: string, bytes: number, prefix = 'data'): Promise<void> {
  const block = Buffer.alloc(Math.min(FILE, bytes));
  for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, i);
  for (let written = 0, n = 0; written < bytes; n++) {
    const size = Math.min(FILE, bytes - written);
    await fs.writeFile(path.join(dir, `${prefix}${n}`), block.subarray(0, size));
    written += size;
  }
}

/** One row of results: an operation's median seconds at each volume size. */
export interface Row {
  op: string;
  seconds: number[];
}

/** Prints a Markdown table: one column per size, then time at the largest / time at the smallest. */
export function printSizeTable(sizes: string[], rows: Row[]): void {
  const last = sizes.at(-1) ?? '';
  const header = ['operation', ...sizes, `${last} / ${sizes[0] ?? ''}`];
  printTable(
    header,
    rows.map((r) => {
      const ratio = (r.seconds.at(-1) ?? NaN) / (r.seconds[0] ?? NaN);
      return [r.op, ...r.seconds.map(secs), ratio.toFixed(2)];
    }),
  );
}
