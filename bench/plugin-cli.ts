// Part of bench/postgres-reset.ts: commit, checkout -b and reset --hard through the CLI (a Node process
// each) and the installed plugin, on btrfs volumes of 10 MiB, 2 GiB and 10 GiB that no container uses.
// The first reset after a commit replaces a branch whose files are all in the page cache (just
// written), which is what made a synchronous subvolume delete slow.

import { promises as fs } from 'node:fs';
import path from 'node:path';

import { api } from '../test/e2e/lib/plugin.js';
import { uniqueName } from '../test/e2e/lib/names.js';
import { writeData } from './btrfs-timing.js';
import { nowMs } from './engine.js';
import type { PluginBench } from './plugin-env.js';
import { medianOf, printTable, secs } from './timing.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
/** Rounds after the first; the table shows the first run and the median of all. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** A data change: a new 4 MiB file, as a database writes a few pages (hot in the page cache). */
const CHANGE = 4 * MiB;

/** One volume of the run, with its active branch's data directory on the host. */
interface Sized {
  label: string;
  volume: string;
  branch: string;
  dataDir: (branch: string) => string;
}

type OpName = 'commit' | 'reset after commit' | 'reset after change' | 'checkout -b' | 'reset (API only)';

/** The operations in the order each round runs them; `prepare` is untimed. */
function operations(b: PluginBench, change: (s: Sized) => Promise<void>) {
  let n = 0;
  const ops: [OpName, { prepare: (s: Sized) => Promise<unknown>; work: (s: Sized) => Promise<number> }][] = [
    ['commit', { prepare: change, work: (s) => b.timedDvol('commit', '-m', `c${++n}`, s.volume) }],
    [
      'reset after commit',
      { prepare: async () => {}, work: (s) => b.timedDvol('reset', '--hard', 'HEAD', s.volume) },
    ],
    [
      'reset after change',
      { prepare: change, work: (s) => b.timedDvol('reset', '--hard', 'HEAD', s.volume) },
    ],
    [
      'reset (API only)',
      {
        prepare: change,
        work: async (s) => {
          const start = nowMs();
          const answer = await api('POST', `/dvol/volumes/${s.volume}/reset`, { ref: 'HEAD', hard: true });
          if (answer.status !== 200) throw new Error(`reset through the API: ${JSON.stringify(answer.body)}`);
          return (nowMs() - start) / 1000;
        },
      },
    ],
    [
      'checkout -b',
      {
        prepare: async () => {},
        work: async (s) => {
          s.branch = `b${++n}`;
          return b.timedDvol('checkout', '-b', s.branch, s.volume);
        },
      },
    ],
  ];
  return ops;
}

/** Sizes up to BENCH_MAX_GIB (default 10) GiB; the loopback filesystem must hold their sum twice. */
export function cliSizes(): number[] {
  const max = Number(process.env.BENCH_MAX_GIB ?? 10);
  return [10 * MiB, 2 * GiB, 10 * GiB].filter((s) => s <= max * GiB);
}

/** Runs the part and prints its table. */
export async function cliPart(b: PluginBench): Promise<void> {
  const sizes = cliSizes();
  const vols: Sized[] = [];
  for (const size of sizes) {
    const volume = uniqueName('benchcli');
    b.cleanup(() => b.dvol('rm', '-f', volume).then(b.trashEmptied));
    await b.dvol('init', volume);
    const dataDir = (branch: string) => path.join(b.state, 'volumes', volume, 'data', 'branches', branch);
    const s: Sized = {
      label: size < GiB ? `${size / MiB} MiB` : `${size / GiB} GiB`,
      volume,
      branch: 'master',
      dataDir,
    };
    await writeData(dataDir('master'), size);
    // Plus 2,000 small files, as a database's catalog and WAL segments add.
    await fs.mkdir(path.join(dataDir('master'), 'small'));
    for (let i = 0; i < 2000; i++)
      await fs.writeFile(path.join(dataDir('master'), 'small', `f${i}`), `${i}\n`);
    vols.push(s);
    console.log(`  ${s.label}: data written`);
  }
  let edits = 0;
  const change = async (s: Sized) => writeData(path.join(s.dataDir(s.branch)), CHANGE, `change${++edits}-`);
  const ops = operations(b, change);
  const samples = new Map<OpName, number[][]>(ops.map(([name]) => [name, vols.map(() => [])]));
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [name, op] of ops) {
      // Sizes interleaved, in alternating order, so load from elsewhere falls on all of them alike.
      const order = vols.map((_, i) => i);
      if (round % 2 === 1) order.reverse();
      for (const i of order) {
        const s = vols[i] as Sized;
        await op.prepare(s);
        await b.trashEmptied();
        await b.settle();
        samples.get(name)?.[i]?.push(await op.work(s));
      }
    }
  }
  const help = [];
  for (let i = 0; i <= ROUNDS; i++) help.push(await b.timedDvol('--help'));
  const labels = vols.map((v) => v.label);
  console.log(
    `\nCLI end to end on btrfs, a dvol process each, volume not in use: first run / median of ${ROUNDS + 1}\n`,
  );
  const ratio = (values: number[]) => ((values.at(-1) ?? NaN) / (values[0] ?? NaN)).toFixed(2);
  printTable(
    ['operation', ...labels, `${labels.at(-1)} / ${labels[0]}: first, medians`],
    [...samples].map(([name, perSize]) => {
      const firsts = perSize.map((runs) => runs[0] ?? NaN);
      const medians = perSize.map(medianOf);
      const cells = perSize.map((_, i) => `${secs(firsts[i] ?? NaN)} / ${secs(medians[i] ?? NaN)}`);
      return [name, ...cells, `${ratio(firsts)}, ${ratio(medians)}`];
    }),
  );
  console.log(`\ndvol --help (CLI start-up alone): median ${secs(medianOf(help))}`);
}
