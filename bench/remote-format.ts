// Remote format v1 against a directory remote on the same disk: a first push of page-structured
// data, a second after 1 % of its 8 KiB pages changed in place, a no-op push, and a restore.
// Usage: npx tsx bench/remote-format.ts [GiB]   (prints a Markdown table; see docs/benchmarks.md)

import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { fetchCommit, loadParent, pushCommit } from '../src/storage/remotes/format/commit.js';
import { changePages, writePages } from '../src/storage/remotes/format/pages.testkit.js';
import { pushTree } from '../src/storage/remotes/format/push.js';
import { restoreTree } from '../src/storage/remotes/format/restore.js';
import { openLayoutStore } from '../src/storage/remotes/layout/store.js';

const GiB = 1024 ** 3;
const FILE = 64 * 1024 ** 2;
const volume = Number(process.argv[2] ?? 1) * GiB;

const info = (n: number) => ({
  id: n.toString(16).padStart(40, '0'),
  parents: n > 1 ? [(n - 1).toString(16).padStart(40, '0')] : [],
  message: `bench ${n}`,
  author: 'Bench <bench@example.com>',
  date: new Date().toISOString(),
});

/** Bytes the remote directory holds (apparent sizes of its blobs). */
async function stored(remote: string): Promise<number> {
  const dir = path.join(remote, 'blobs', 'sha256');
  let total = 0;
  for (const name of await fs.readdir(dir)) total += (await fs.stat(path.join(dir, name))).size;
  return total;
}

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const start = process.hrtime.bigint();
  const result = await work();
  return [Number(process.hrtime.bigint() - start) / 1e9, result];
}

const dropCaches = () => {
  execFileSync('sync');
  try {
    execFileSync('sh', ['-c', 'echo 1 > /proc/sys/vm/drop_caches']);
  } catch {
    // not root, or a container that may not: warm-cache figures then
  }
};

async function main(): Promise<void> {
  const root = await fs.mkdtemp(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'dvol-bench-remote-'));
  try {
    const src = path.join(root, 'src');
    await fs.mkdir(src);
    for (let n = 0; n * FILE < volume; n++)
      writePages(path.join(src, `heap${n}`), Math.min(FILE, volume - n * FILE));
    const remote = path.join(root, 'remote');
    const store = await openLayoutStore(remote);
    const knownBlobs = path.join(root, 'known.jsonl');
    const mb = (bytes: number, s: number) => (bytes / 1e6 / s).toFixed(0);
    const rows: string[][] = [];

    dropCaches();
    const [t1, m1] = await timed(async () =>
      pushCommit(store, { commit: info(1), tree: await pushTree(src, store, { knownBlobs }) }),
    );
    const s1 = await stored(remote);
    rows.push([
      'first push',
      t1.toFixed(2),
      mb(volume, t1),
      `${(s1 / 1e6).toFixed(0)} MB (${((100 * s1) / volume).toFixed(1)} %)`,
    ]);

    let changed = 0;
    for (let n = 0; n * FILE < volume; n++) changed += changePages(path.join(src, `heap${n}`), 0.01);
    dropCaches();
    const [t2, m2] = await timed(async () => {
      const parent = await loadParent(store, m1.digest);
      return pushCommit(store, { commit: info(2), tree: await pushTree(src, store, { knownBlobs, parent }) });
    });
    const s2 = (await stored(remote)) - s1;
    rows.push([
      `push after ${changed} pages (1 %) changed`,
      t2.toFixed(2),
      mb(volume, t2),
      `${(s2 / 1e6).toFixed(1)} MB (${((100 * s2) / volume).toFixed(2)} % of the volume)`,
    ]);

    const [t3] = await timed(async () => {
      const parent = await loadParent(store, m2.digest);
      return pushTree(src, store, { knownBlobs, parent });
    });
    rows.push(['no-op push (tree)', t3.toFixed(2), '-', `${(await stored(remote)) - s1 - s2} bytes`]);

    dropCaches();
    const [t4, r] = await timed(() => restoreTree(store, m2.digest, path.join(root, 'restored')));
    rows.push([
      'restore (clone) of commit 2',
      t4.toFixed(2),
      mb(r.bytesWritten, t4),
      `${(r.bytesWritten / 1e6).toFixed(0)} MB written`,
    ]);
    const packs = (await fetchCommit(store, m2.digest)).packs.length;

    console.log(
      `Remote format v1, ${volume / GiB} GiB in ${Math.ceil(volume / FILE)} files of 8 KiB pages (1 in 4 compressible), ${packs} packs, directory remote on the same disk, ${os.cpus().length} CPUs\n`,
    );
    console.log('| operation | seconds | MB/s | stored |');
    console.log('|---|---|---|---|');
    for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

await main();
