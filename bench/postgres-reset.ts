// Benchmark: a Postgres server with ≥ 1 GiB of data on a dvol volume on btrfs, restored after a
// destructive migration by `dvol reset --hard HEAD` (end to end through the CLI, the plugin and
// Docker) next to a pg_restore of a dump of the same data, in the same run; then commit, checkout -b
// and reset through the CLI at 10 MiB and at that size. Moves the installed plugin's state directory
// to a loopback btrfs for the run and always puts it back.
// Run as root after `npm run build`: `npx tsx bench/postgres-reset.ts` (BENCH_PG_SCALE=N: pgbench scale).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { docker, dockerResult, runOk } from '../test/e2e/lib/exec.js';
import { uniqueName } from '../test/e2e/lib/names.js';
import { waitForPlugin } from '../test/e2e/lib/plugin.js';
import { postgresImage, psql, tableFingerprint, waitForPostgres } from '../test/e2e/lib/postgres.js';
import { stateOnLoopFs } from '../test/e2e/lib/statefs.js';
import { medianOf, printTable, sample, secs } from './timing.js';

/** pgbench scale 70 ≈ 1.05 GiB of tables and indexes. */
const SCALE = Number(process.env.BENCH_PG_SCALE ?? 70);
const CLI = new URL('../dist/cli/dvol.js', import.meta.url).pathname;
const home = await mkdtemp(join(tmpdir(), 'dvol-bench-home-'));
const cleanups: (() => Promise<unknown>)[] = [];
const long = { timeout: 1_800_000 };

/** The built CLI as a user would run it, with its own config home; rejects on failure. */
const dvol = (...args: string[]) =>
  runOk(process.execPath, [CLI, ...args], { env: { ...process.env, HOME: home }, ...long });

/** Seconds one call of `work` takes. */
async function timed(work: () => Promise<unknown>): Promise<number> {
  const [s] = await sample(1, work);
  return s ?? NaN;
}

/** The medians of 5 end-to-end commit, checkout -b and reset --hard runs on a stopped volume. */
async function cliOps(volume: string, touch: () => Promise<unknown>): Promise<number[]> {
  let n = 0;
  const commit = await sample(5, () => dvol('commit', '-m', `edit ${++n}`, volume), touch);
  const branch = await sample(5, () => dvol('checkout', '-b', `b${++n}`, volume));
  const reset = await sample(5, () => dvol('reset', '--hard', 'HEAD', volume), touch);
  return [commit, branch, reset].map(medianOf);
}

async function main(): Promise<void> {
  const image = await postgresImage();
  await waitForPlugin();
  await stateOnLoopFs(
    { teardown: (fn: () => Promise<unknown>) => cleanups.push(fn) },
    'btrfs',
    12 * 1024 ** 3,
  );
  await dvol('config', 'user.name', 'Bench');
  await dvol('config', 'user.email', 'bench@example.com');

  const volume = uniqueName('pgbench');
  const ctr = uniqueName('pgbench-server');
  cleanups.unshift(async () => {
    await dockerResult('rm', '-f', '-v', ctr);
    await dvol('rm', '-f', volume).catch(() => undefined);
  });
  await dvol('init', volume);
  await docker('run', '-d', '--name', ctr, '-v', `${volume}:/var/lib/postgresql/data`, image);
  await waitForPostgres(ctr);

  const load = await timed(() =>
    runOk('docker', ['exec', '-u', 'postgres', ctr, 'pgbench', '-i', '-q', '-s', String(SCALE)], long),
  );
  await psql(ctr, 'CHECKPOINT');
  const bytes = Number(await psql(ctr, "SELECT pg_database_size('postgres')"));
  const original = await tableFingerprint(ctr, 'pgbench_accounts', 600_000);
  const commit = await timed(() => dvol('commit', '-m', 'loaded', volume));
  const dump = await timed(() =>
    runOk('docker', ['exec', '-u', 'postgres', ctr, 'pg_dump', '-Fc', '-Z', '1', '-f', '/tmp/db.dump'], long),
  );
  const migrate = 'DROP TABLE pgbench_accounts, pgbench_history; DELETE FROM pgbench_branches;';

  await psql(ctr, migrate);
  const reset = await timed(() => dvol('reset', '--hard', 'HEAD', volume));
  const ready = await timed(() => waitForPostgres(ctr, 600_000));
  const afterReset = await tableFingerprint(ctr, 'pgbench_accounts', 600_000);

  await psql(ctr, migrate);
  const restore = await timed(() =>
    runOk(
      'docker',
      [
        'exec',
        '-u',
        'postgres',
        ctr,
        'pg_restore',
        '--clean',
        '--if-exists',
        '-j',
        '2',
        '-d',
        'postgres',
        '/tmp/db.dump',
      ],
      long,
    ),
  );
  const afterRestore = await tableFingerprint(ctr, 'pgbench_accounts', 600_000);
  if (afterReset !== original || afterRestore !== original) {
    throw new Error(
      `rows differ: loaded ${original}, after reset ${afterReset}, after restore ${afterRestore}`,
    );
  }

  // CLI operations on stopped volumes, so only dvol's own work is timed (no container restart).
  await docker('stop', ctr);
  const write = (vol: string, cmd: string) =>
    runOk('docker', ['run', '--rm', '-v', `${vol}:/d`, '--entrypoint', 'sh', image, '-c', cmd], long);
  let edits = 0;
  const big = await cliOps(volume, () => write(volume, `echo ${++edits} > /d/edit`));
  const small = uniqueName('bench10m');
  cleanups.unshift(() => dvol('rm', '-f', small).catch(() => undefined));
  await dvol('init', small);
  await write(small, 'head -c 10485760 /dev/urandom > /d/data');
  const smallOps = await cliOps(small, () => write(small, `echo ${++edits} > /d/edit`));

  const gib = (bytes / 1024 ** 3).toFixed(2);
  console.log(`\nPostgres, pgbench scale ${SCALE}: database ${gib} GiB on btrfs (loaded in ${secs(load)})\n`);
  printTable(
    ['step', 'time'],
    [
      ['dvol commit (server running)', secs(commit)],
      ['pg_dump -Fc (for the comparison)', secs(dump)],
      ['dvol reset --hard HEAD (stop, restore, start)', secs(reset)],
      ['  then until the server answers', secs(ready)],
      ['pg_restore -j 2 of the same data', secs(restore)],
    ],
  );
  console.log('\nCLI end to end on btrfs, median of 5, volume not in use\n');
  printTable(
    ['size', 'commit', 'checkout -b', 'reset --hard'],
    [
      ['10 MiB', ...smallOps.map(secs)],
      [`${gib} GiB`, ...big.map(secs)],
    ],
  );
}

try {
  await main();
} finally {
  for (const cleanup of cleanups) await cleanup().catch((err: unknown) => console.error(err));
  await rm(home, { recursive: true, force: true });
}
