// Benchmark: `dvol diff -v` of 100k files with 10 changed, on plain (temp dir), reflink (loopback
// xfs) and btrfs (loopback btrfs), next to `rsync -an --itemize-changes` over the same two trees in
// the same run. Times Volume.diff at the storage level (entries formatted as -v lines), the CLI
// against the real server on a unix socket, and, when `npm run build` has made dist/, the CLI as its
// own `node dist/cli/dvol.js` process, as a user runs it. Medians of 5 interleaved rounds.
// Run as root: `npx tsx bench/diff.ts` (BENCH_DIRS=N: N x 1000 files, default 100).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { entryLine } from '../src/cli/diff-format.js';
import { captureIo } from '../src/cli/io.testkit.js';
import { main } from '../src/cli/main.js';
import { createApp } from '../src/server/app.js';
import { configFromEnv } from '../src/server/config.js';
import { closeServer, listenUnix } from '../src/server/listen.js';
import { buildDeps } from '../src/server/services.js';
import { entryToWire } from '../src/storage/diff-json.js';
import type { DriverName } from '../src/storage/drivers/index.js';
import { createLoopFs, type LoopFsType } from '../src/storage/drivers/loopfs.testkit.js';
import type { Volume } from '../src/storage/model.js';
import { openStore } from '../src/storage/store.js';
import { medianOf, printTable, sample, secs } from './timing.js';

const DIRS = Number(process.env.BENCH_DIRS ?? 100);
const FILES_PER_DIR = 1000;
const RUNS = 5;
const ALL: [DriverName, LoopFsType | undefined][] = [
  ['plain', undefined],
  ['reflink', 'xfs'],
  ['btrfs', 'btrfs'],
];
/** BENCH_DRIVERS=plain,btrfs runs only those. */
const TARGETS = ALL.filter(([d]) =>
  (process.env.BENCH_DRIVERS ?? 'plain,reflink,btrfs').split(',').includes(d),
);

/** The built CLI, for the row that runs it as a separate process. */
const CLI = path.join(import.meta.dirname, '..', 'dist', 'cli', 'dvol.js');
const HAS_CLI = fs.existsSync(CLI);

/** Runs a command, counting its output lines (what a reader of -v output would get). */
function lineCount(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
    let lines = 0;
    child.stdout.on('data', (d: Buffer) => {
      for (const b of d) if (b === 10) lines++;
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(lines) : reject(new Error(`${cmd} exited ${code}`))));
  });
}

function fill(dir: string): void {
  for (let d = 0; d < DIRS; d++) {
    const sub = path.join(dir, `d${String(d).padStart(3, '0')}`);
    fs.mkdirSync(sub);
    for (let f = 0; f < FILES_PER_DIR; f++)
      fs.writeFileSync(path.join(sub, `f${f}`), `${d}/${f}`.padEnd(64, '.'));
  }
}

/** 10 changes spread over the tree: 4 edits (one same size, same mtime), 3 additions, 3 deletions. */
function change(dir: string): void {
  const file = (d: number, f: string) => path.join(dir, `d${String(d).padStart(3, '0')}`, f);
  const last = DIRS - 1;
  fs.appendFileSync(file(0, 'f1'), 'more');
  fs.appendFileSync(file(last, 'f2'), 'more');
  fs.chmodSync(file(Math.floor(last / 2), 'f3'), 0o600);
  const same = file(last, 'f999');
  const { atime, mtime } = fs.statSync(same);
  fs.writeFileSync(same, 'X'.padEnd(64, '.'));
  fs.utimesSync(same, atime, mtime);
  for (const d of [1, Math.floor(last / 3), last]) fs.writeFileSync(file(d, 'new'), 'new');
  for (const d of [2, Math.floor(last / 4), last - 1]) fs.rmSync(file(d, 'f500'));
}

async function storageDiff(vol: Volume): Promise<number> {
  const diff = await vol.diff();
  let n = 0;
  for await (const e of diff.entries) if (entryLine(entryToWire(e)).length > 0) n++;
  return n;
}

async function bench(driver: DriverName, type: LoopFsType | undefined, rows: string[][]): Promise<void> {
  const loop = type ? await createLoopFs(type, 2 * 1024 ** 3) : undefined;
  const base = loop?.mountpoint ?? fs.mkdtempSync(path.join(os.tmpdir(), 'dvol-bench-diff-'));
  const state = path.join(base, 'state');
  const store = await openStore(state, { defaultDriver: driver });
  const socket = path.join(base, 'api.sock');
  const config = configFromEnv({
    DVOL_STATE: state,
    DVOL_MOUNTS: path.join(base, 'mnt'),
    DOCKER_SOCKET: '/none',
  });
  const server = await listenUnix(createApp(await buildDeps(config, store)).fetch, socket);
  try {
    await store.createVolume('vol');
    const vol = store.volume('vol');
    const data = await vol.dataPath();
    let t0 = Date.now();
    fill(data);
    await new Promise((r) => setTimeout(r, 1100)); // past the racy window, as real data would be
    const head = await vol.commit({ message: 'base', author: 'Bench <bench@example.com>' });
    console.log(
      `${driver}: made ${DIRS * FILES_PER_DIR} files and committed in ${(Date.now() - t0) / 1000} s`,
    );
    change(data);
    // Both driver layouts keep <root>/branches/<branch> and <root>/commits/<id>.
    const rsyncTarget = path.join(path.dirname(path.dirname(data)), 'commits', head.id);
    if (!fs.existsSync(rsyncTarget)) throw new Error(`no data directory for commit ${head.id}`);
    const env = { PATH: process.env.PATH, DVOL_SOCKET: socket, HOME: base };
    const cli = async () => {
      const cap = captureIo({ env });
      if ((await main(['diff', '-v', 'vol'], cap.io)) !== 0) throw new Error(cap.err());
      return cap.out().split('\n').length - 1;
    };
    const cliProcess = () => lineCount(process.execPath, [CLI, 'diff', '-v', 'vol'], env);
    t0 = Date.now();
    const counts = {
      storage: await storageDiff(vol),
      cli: await cli(),
      process: HAS_CLI ? await cliProcess() : NaN,
    };
    const rsync = () =>
      lineCount('rsync', ['-an', '--itemize-changes', '--delete', `${data}/`, `${rsyncTarget}/`]);
    const rsyncLines = await rsync();
    console.log(
      `${driver}: ${counts.storage} entries, CLI ${counts.cli} lines, process ${counts.process} lines, rsync ${rsyncLines} lines`,
    );
    // Interleaved rounds, so load from other processes falls on all of them alike.
    const all = {
      storage: [] as number[],
      cli: [] as number[],
      process: [] as number[],
      rsync: [] as number[],
    };
    for (let round = 0; round < RUNS; round++) {
      all.storage.push(...(await sample(1, () => storageDiff(vol))));
      all.cli.push(...(await sample(1, cli)));
      if (HAS_CLI) all.process.push(...(await sample(1, cliProcess)));
      all.rsync.push(...(await sample(1, rsync)));
    }
    for (const [what, values] of Object.entries(all)) {
      console.log(`${driver}: ${what}: ${values.map((v) => v.toFixed(3)).join(' ')} s`);
    }
    const times = {
      storage: medianOf(all.storage),
      cli: medianOf(all.cli),
      process: medianOf(all.process),
      rsync: medianOf(all.rsync),
    };
    rows.push([
      `${driver}${type ? ` (${type})` : ''}`,
      secs(times.storage),
      secs(times.cli),
      HAS_CLI ? secs(times.process) : 'not built',
      secs(times.rsync),
      (times.storage / times.rsync).toFixed(2),
      HAS_CLI ? (times.process / times.rsync).toFixed(2) : '-',
      `${counts.storage} / ${rsyncLines}`,
    ]);
  } finally {
    await closeServer(server);
    await store.close();
    if (loop) await loop.dispose();
    else fs.rmSync(base, { recursive: true, force: true });
  }
}

const started = Date.now();
const rows: string[][] = [];
for (const [driver, type] of TARGETS) await bench(driver, type, rows);
printTable(
  [
    'driver',
    'Volume.diff + -v lines',
    'dvol diff -v (CLI)',
    'node dist/cli/dvol.js diff -v',
    'rsync -an -i',
    'storage / rsync',
    'process / rsync',
    'entries / rsync lines',
  ],
  rows,
);
console.log(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
