// Part of bench/postgres-reset.ts: a Postgres server with ≥ 1 GiB of data on a dvol volume, restored
// after a destructive migration by `dvol reset --hard HEAD` (CLI, plugin, Docker) until the server
// answers, next to a raw snapshot swap with the same stop and start, interleaved in one run, each split
// into steps by dockerd's events; and a pg_restore of a dump of the same data.

import { promises as fs } from 'node:fs';
import path from 'node:path';

import { run } from '../src/storage/drivers/exec.js';
import { docker, dockerResult, runOk } from '../test/e2e/lib/exec.js';
import { uniqueName } from '../test/e2e/lib/names.js';
import { api } from '../test/e2e/lib/plugin.js';
import { postgresImage, psql, tableFingerprint, waitForPostgres } from '../test/e2e/lib/postgres.js';
import { eventsBetween, nowMs, startContainer, stopContainer, type EngineEvent } from './engine.js';
import { waitUntilAnswering } from './pg-probe.js';
import type { PluginBench } from './plugin-env.js';
import { medianOf, printTable, secs } from './timing.js';

/** pgbench scale 70 ≈ 1.05 GiB of tables and indexes. */
const SCALE = Number(process.env.BENCH_PG_SCALE ?? 70);
/** Resets of each kind; alternating which goes first. */
const ROUNDS = Number(process.env.BENCH_PG_ROUNDS ?? 5);
const long = { timeout: 1_800_000 };
const MIGRATION = 'DROP TABLE pgbench_accounts, pgbench_history; DELETE FROM pgbench_branches;';

/** The steps of one reset, in seconds, from dockerd's events and our own clock. */
type Steps = Record<string, number>;

/**
 * Splits [start, answered] at the container's kill (the stop signal), die, the volume's unmount and
 * mount, the container's start, the end of the command (CLI exit or the raw swap's start call), and
 * the first answer.
 */
function split(events: EngineEvent[], start: number, returned: number, answered: number): Steps {
  const at = (type: string, action: string) =>
    events.find((e) => e.type === type && e.action.split(':')[0] === action && e.ms >= start)?.ms ?? NaN;
  const marks: [string, number][] = [
    ['until the stop signal', at('container', 'kill')],
    ['server shutdown (signal to exit)', at('container', 'die')],
    ['until Unmount', at('volume', 'unmount')],
    ['swap, until Mount', at('volume', 'mount')],
    ['until started', at('container', 'start')],
    ['until the command returns', returned],
    ['until the server answers', answered],
  ];
  const steps: Steps = {};
  let last = start;
  for (const [name, ms] of marks) {
    steps[name] = (ms - last) / 1000;
    last = ms;
  }
  steps.total = (answered - start) / 1000;
  return steps;
}

/** The raw swap: stop, snapshot the commit, two renames, start (what dvol's reset comes down to). */
async function rawSwap(b: PluginBench, volume: string, container: string, commit: string, n: number) {
  const data = path.join(b.state, 'volumes', volume, 'data');
  const branch = path.join(data, 'branches', 'master');
  const fresh = path.join(b.state, `raw-new-${n}`);
  const old = path.join(b.state, `raw-old-${n}`);
  await stopContainer(container);
  await run('btrfs', ['subvolume', 'snapshot', path.join(data, 'commits', commit), fresh], 'snapshot');
  await fs.rename(branch, old);
  await fs.rename(fresh, branch);
  await startContainer(container);
  return old;
}

export async function postgresPart(b: PluginBench): Promise<void> {
  const image = await postgresImage();
  const volume = uniqueName('pgbench');
  const ctr = uniqueName('pgbench-server');
  b.cleanup(async () => {
    await dockerResult('rm', '-f', '-v', ctr);
    await b.dvol('rm', '-f', volume).catch(() => undefined);
  });
  await b.dvol('init', volume);
  const id = await docker(
    'run',
    '-d',
    '--label',
    'dvol-e2e',
    '--name',
    ctr,
    '-v',
    `${volume}:/var/lib/postgresql/data`,
    image,
  );
  await waitForPostgres(ctr);
  const loadStart = nowMs();
  await runOk('docker', ['exec', '-u', 'postgres', ctr, 'pgbench', '-i', '-q', '-s', String(SCALE)], long);
  const load = (nowMs() - loadStart) / 1000;
  await psql(ctr, 'CHECKPOINT');
  const bytes = Number(await psql(ctr, "SELECT pg_database_size('postgres')"));
  const original = await tableFingerprint(ctr, 'pgbench_accounts', 600_000);
  await b.settle();
  const commit = await b.timedDvol('commit', '-m', 'loaded', volume);
  const head = ((await api('GET', `/dvol/volumes/${volume}`)).body as { volume: { head: string } }).volume
    .head;

  const runs: { dvol: Steps[]; raw: Steps[] } = { dvol: [], raw: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const order: ('dvol' | 'raw')[] = round % 2 === 0 ? ['dvol', 'raw'] : ['raw', 'dvol'];
    for (const kind of order) {
      await psql(ctr, MIGRATION);
      await b.trashEmptied();
      await b.settle();
      const start = nowMs();
      const old =
        kind === 'dvol'
          ? await b.dvol('reset', '--hard', 'HEAD', volume).then(() => undefined)
          : await rawSwap(b, volume, id, head, round);
      const returned = nowMs();
      await waitUntilAnswering(id);
      const answered = nowMs();
      const events = await eventsBetween(start, answered, id, volume);
      runs[kind].push(split(events, start, returned, answered));
      const offsets = events.map((e) => `${e.type[0]}:${e.action.split(':')[0]} ${Math.round(e.ms - start)}`);
      console.log(
        `  ${kind} ${round}: ${offsets.join(', ')}, returned ${Math.round(returned - start)}, answered ${Math.round(answered - start)} ms`,
      );
      // Every reset brings back what the migration dropped; the first dvol one is compared row by row.
      if ((await psql(ctr, 'SELECT count(*) FROM pgbench_branches')) !== String(SCALE))
        throw new Error(`the ${kind} reset did not bring back pgbench_branches`);
      if (
        round === 0 &&
        kind === 'dvol' &&
        (await tableFingerprint(ctr, 'pgbench_accounts', 600_000)) !== original
      )
        throw new Error('the rows after the reset differ from the loaded ones');
      if (old) await run('btrfs', ['subvolume', 'delete', old], 'deleting the raw swap old data');
    }
  }

  const dumpStart = nowMs();
  await runOk(
    'docker',
    ['exec', '-u', 'postgres', ctr, 'pg_dump', '-Fc', '-Z', '1', '-f', '/tmp/db.dump'],
    long,
  );
  const dump = (nowMs() - dumpStart) / 1000;
  await psql(ctr, MIGRATION);
  const restoreStart = nowMs();
  await runOk(
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
  );
  const restore = (nowMs() - restoreStart) / 1000;
  if ((await tableFingerprint(ctr, 'pgbench_accounts', 600_000)) !== original)
    throw new Error('the rows after pg_restore differ from the loaded ones');

  const gib = (bytes / 1024 ** 3).toFixed(2);
  console.log(`\nPostgres, pgbench scale ${SCALE}: database ${gib} GiB on btrfs (loaded in ${secs(load)})\n`);
  const steps = Object.keys(runs.dvol[0] ?? {});
  const cell = (kind: 'dvol' | 'raw', step: string) => {
    const values = runs[kind].map((s) => s[step] ?? NaN);
    return `${secs(values[0] ?? NaN)} / ${secs(medianOf(values))}`;
  };
  printTable(
    [
      'reset after a destructive migration (first / median of ' + ROUNDS + ')',
      'dvol reset --hard HEAD',
      'raw snapshot swap',
    ],
    steps.map((step) => [step, cell('dvol', step), cell('raw', step)]),
  );
  const ratio = (pick: (values: number[]) => number) =>
    pick(runs.dvol.map((s) => s.total ?? NaN)) / pick(runs.raw.map((s) => s.total ?? NaN));
  console.log(
    `\ndvol / raw, end to end: first ${ratio((v) => v[0] ?? NaN).toFixed(2)}, medians ${ratio(medianOf).toFixed(2)}\n`,
  );
  printTable(
    ['other steps', 'time'],
    [
      ['dvol commit (server running)', secs(commit)],
      ['pg_dump -Fc (for the comparison)', secs(dump)],
      ['pg_restore -j 2 of the same data', secs(restore)],
    ],
  );
  await docker('stop', ctr);
}
