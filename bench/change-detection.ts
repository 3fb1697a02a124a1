// Benchmark: hasChanges of the plain driver on a 100k-file branch, clean and with one same-size edit
// at the end of the walk, next to `find -printf` (one stat-like pass) and `rsync -an` (a dry-run
// comparison with the commit) over the same tree, in the same run. Medians of 5 runs.
// Run: `npx tsx bench/change-detection.ts` (BENCH_DIR picks the filesystem; default the OS temp dir).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { editKeepingSizeAndMtime } from '../src/storage/drivers/conformance/changes.testkit.js';
import { plainFactory } from '../src/storage/drivers/plain.js';
import { medianOf, printTable, sample, secs } from './timing.js';

const DIRS = Number(process.env.BENCH_DIRS ?? 100); // of 1000 files each
const FILES_PER_DIR = 1000;
const RUNS = 5;

/** Runs a command with its output discarded. */
function quiet(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}`))));
  });
}

const dirName = (d: number) => `d${String(d).padStart(3, '0')}`;

/** 100 directories of 1000 files of 64 bytes each. */
function fill(dir: string): void {
  for (let d = 0; d < DIRS; d++) {
    const sub = path.join(dir, dirName(d));
    fs.mkdirSync(sub);
    for (let f = 0; f < FILES_PER_DIR; f++)
      fs.writeFileSync(path.join(sub, `f${f}`), `${d}/${f}`.padEnd(64, '.'));
  }
}

/** Rewrites the first byte of the last file in walk order, keeping size and exact mtime (ctime moves). */
function sameSizeEdit(branch: string, byte: string): void {
  editKeepingSizeAndMtime(path.join(branch, dirName(DIRS - 1), `f${FILES_PER_DIR - 1}`), byte.charCodeAt(0));
}

const work = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'dvol-bench-cd-'));
try {
  const driver = plainFactory.open({ root: work, options: {} });
  await driver.createBranch('master');
  const branch = driver.branchPath('master');
  let t0 = Date.now();
  fill(branch);
  console.log(`made ${DIRS * FILES_PER_DIR} files in ${(Date.now() - t0) / 1000} s`);
  await new Promise((r) => setTimeout(r, 1100)); // let the files age past the racy window
  t0 = Date.now();
  await driver.snapshot('master', 'c1');
  console.log(`commit (walk + cp -a + sync) took ${(Date.now() - t0) / 1000} s`);
  const commit = driver.commitPath('c1');
  const rows: string[][] = [];
  const row = async (what: string, fn: () => Promise<unknown>, expect?: boolean) => {
    const times = await sample(RUNS, async () => {
      const got = await fn();
      if (expect !== undefined && got !== expect) throw new Error(`${what}: expected ${expect}, got ${got}`);
    });
    rows.push([what, secs(medianOf(times)), times.map((s) => s.toFixed(3)).join(' ')]);
    console.log(rows.at(-1)?.join('  '));
  };
  await row('hasChanges, clean', () => driver.hasChanges('master', 'c1'), false);
  await row('find -printf (all stat fields)', () =>
    quiet('find', [branch, '-printf', '%p %i %s %m %U %G %T@ %C@\\n']),
  );
  await row('rsync -an --delete branch/ commit/', () =>
    quiet('rsync', ['-an', '--delete', `${branch}/`, `${commit}/`]),
  );
  sameSizeEdit(branch, 'X');
  await row('hasChanges, 1 same-size edit (last file)', () => driver.hasChanges('master', 'c1'), true);
  await row('rsync -an, same 1 edit (misses it)', () =>
    quiet('rsync', ['-an', '--delete', `${branch}/`, `${commit}/`]),
  );
  sameSizeEdit(branch, '9'); // back to the committed byte: equal data, but ctime moved
  const [first] = await sample(1, () => driver.hasChanges('master', 'c1'));
  rows.push([
    'hasChanges after the edit was undone (1 content compare + manifest refresh)',
    secs(first ?? NaN),
    '1 run',
  ]);
  await driver.resetBranch('master', 'c1');
  const [afterReset] = await sample(1, () => driver.hasChanges('master', 'c1'));
  rows.push([
    'hasChanges right after reset (only entries of the last clock tick are racy)',
    secs(afterReset ?? NaN),
    '1 run',
  ]);
  await row('hasChanges, clean, after the reset', () => driver.hasChanges('master', 'c1'), false);
  console.log(
    `\n${os.cpus().length} CPUs (${os.cpus()[0]?.model}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${work}\n`,
  );
  printTable(['operation (100k files)', `median of ${RUNS}`, 'runs (s)'], rows);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
