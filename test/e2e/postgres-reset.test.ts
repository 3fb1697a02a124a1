// A real database on a dvol volume, on every snapshot driver: a Postgres server (Debian packages,
// built locally) keeps its data on a volume; rows are loaded and committed, a destructive migration
// drops them, `dvol reset --hard HEAD` stops the server, restores the data and starts it again, and
// the original rows are back. plain runs on the default state directory, btrfs and reflink with the
// plugin's state directory moved to a loopback btrfs / xfs filesystem for the test.
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { LoopFsType } from '../../src/storage/drivers/loopfs.testkit.js';
import { docker, dockerResult } from './lib/exec.js';
import { uniqueName } from './lib/names.js';
import { PLUGIN, waitForPlugin } from './lib/plugin.js';
import {
  POSTGRES_VOLUME_PATH,
  postgresImage,
  psql,
  tableFingerprint,
  volumeDriver,
  waitForPostgres,
} from './lib/postgres.js';
import { runDetached } from './lib/resources.js';
import { stateOnLoopFs } from './lib/statefs.js';
import {
  dockerGroupUser,
  dvol,
  dvolOk,
  fsckClean,
  setAuthor,
  startedAt,
  useSocket,
} from './fixtures/dvol.js';

const image = await postgresImage();
await waitForPlugin();

/** About 6 MB of rows: enough pages that a partial restore would show in the fingerprint. */
const LOAD = `CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL, bio text NOT NULL);
INSERT INTO users SELECT i, 'user' || i, repeat(md5(i::text), 8) FROM generate_series(1, 20000) i;
CHECKPOINT;`;
const MIGRATION = 'DELETE FROM users WHERE id % 2 = 0; DROP TABLE users;';

async function resetRestoresRows(t: Test, driver: string): Promise<void> {
  await dockerGroupUser(t);
  await setAuthor(t);
  // docker volume create, not dvol init: Docker then knows the volume's driver and never asks others.
  const volume = uniqueName('pg');
  const name = uniqueName('pg-server');
  // Registered before the container's, so the container is removed first (teardowns run in order).
  t.teardown(async () => {
    await dockerResult('rm', '-f', '-v', name);
    await dvol('rm', '-f', volume);
    await dockerResult('volume', 'rm', '-f', volume);
  });
  await docker('volume', 'create', '-d', PLUGIN, volume);
  t.equal(await volumeDriver(volume), driver, `the volume uses the ${driver} driver`);
  await runDetached(t, ['-v', `${volume}:${POSTGRES_VOLUME_PATH}`, image], name);
  await waitForPostgres(name);

  await psql(name, LOAD);
  const loaded = await tableFingerprint(name, 'users');
  t.match(loaded, /^20000 -?\d+$/, 'the rows are loaded');
  t.match(
    await dvolOk(t, 'commit', '-m', 'load users', volume),
    new RegExp(`^\\[${volume} [0-9a-f]{7}\\] load users\\n$`),
  );
  await fsckClean(t, 'after the commit');

  await psql(name, MIGRATION);
  t.equal(await psql(name, "SELECT to_regclass('users') IS NULL"), 't', 'the migration dropped the table');
  const before = await startedAt(name);

  const reset = await dvolOk(t, 'reset', '--hard', 'HEAD', volume);
  t.equal(reset, `Resetting ${volume} to latest commit... done.\nRestarted container ${name}.\n`);
  t.not(await startedAt(name), before, 'the server was restarted');
  await waitForPostgres(name);
  t.equal(await tableFingerprint(name, 'users'), loaded, 'the server is back with the original rows');
  t.equal(await docker('inspect', '-f', '{{.State.Running}}', name), 'true', 'and keeps running');
  await fsckClean(t, 'after reset --hard HEAD');
}

const FILESYSTEMS: { driver: string; fs?: LoopFsType }[] = [
  { driver: 'plain' },
  { driver: 'btrfs', fs: 'btrfs' },
  { driver: 'reflink', fs: 'xfs' },
];

for (const { driver, fs } of FILESYSTEMS) {
  const where = fs === undefined ? 'on the default state directory' : `with the state directory on ${fs}`;
  t.test(`postgres: reset --hard HEAD restores the rows, ${driver} driver ${where}`, async (t) => {
    if (fs !== undefined) useSocket(t, join(await stateOnLoopFs(t, fs), 'run', 'dvol.sock'));
    // A subtest, so its container and volume are gone before the state directory is put back.
    await t.test('load, commit, migrate, reset', (t) => resetRestoresRows(t, driver));
  });
}
