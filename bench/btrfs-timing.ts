// Timing helpers for the btrfs benchmark: medians, a data writer, and the results table.

import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Seconds `work` took. */
export async function timeIt(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Median of `runs` timings of `work(i)`, with `prepare(i)` run untimed before each. */
export async function median(
  runs: number,
  work: (i: number) => Promise<unknown>,
  prepare: (i: number) => Promise<unknown> = async () => undefined,
): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    await prepare(i);
    times.push(await timeIt(() => work(i)));
  }
  return middle(times);
}

/** The median of some timings. */
export function middle(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

const MiB = 1024 ** 2;
const FILE = 64 * MiB;

/** Fills `dir` with `bytes` of incompressible data in files of up to 64 MiB (like a database's). */
export async function writeData(dir: string, bytes: number): Promise<void> {
  const block = Buffer.alloc(Math.min(FILE, bytes));
  for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, i);
  for (let written = 0, n = 0; written < bytes; n++) {
    const size = Math.min(FILE, bytes - written);
    await fs.writeFile(path.join(dir, `data${n}`), block.subarray(0, size));
    written += size;
  }
}

/** One row of results: an operation's median seconds at each volume size. */
export interface Row {
  op: string;
  seconds: number[];
  note?: string;
}

/** A markdown table: one column per size, then time(largest) / time(smallest). */
export function table(sizes: string[], rows: Row[]): string {
  const head = `| operation | ${sizes.join(' | ')} | largest / smallest |`;
  const rule = `|---|${sizes.map(() => '---:').join('|')}|---:|`;
  const lines = rows.map((r) => {
    const first = r.seconds[0] ?? NaN;
    const last = r.seconds[r.seconds.length - 1] ?? NaN;
    const cells = r.seconds.map((s) => (Number.isNaN(s) ? 'n/a' : `${s.toFixed(3)} s`));
    const op = r.note ? `${r.op} (${r.note})` : r.op;
    return `| ${op} | ${cells.join(' | ')} | ${(last / first).toFixed(2)} |`;
  });
  return [head, rule, ...lines].join('\n');
}
