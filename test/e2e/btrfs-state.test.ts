// The CLI flow with the plugin's state directory on a real btrfs filesystem (a loopback file): new
// volumes get the btrfs driver, a condensed seed 000 transcript (init, commit, checkout -b refused
// when dirty, reset --hard HEAD, checkout -b, change, checkout master) keeps the data right, and the
// btrfs create options copyonwrite=false and compression=zstd reach the volume's subvolume, and a
// .nocow marker takes effect at the next mount.
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { docker, runOk } from './lib/exec.js';
import { busyboxImage } from './lib/images.js';
import { uniqueName } from './lib/names.js';
import { waitForPlugin } from './lib/plugin.js';
import { volumeDriver } from './lib/postgres.js';
import { createVolume, runDetached, runOnce } from './lib/resources.js';
import { stateOnLoopFs } from './lib/statefs.js';
import { SLEEP_UNTIL_STOPPED } from './lib/volumes.js';
import {
  containerFile,
  dockerGroupUser,
  dvol,
  dvolOk,
  fsckClean,
  setAuthor,
  useSocket,
} from './fixtures/dvol.js';

const image = await busyboxImage();
await waitForPlugin();

/** Writes `text` to /data/schema.sql in the container (`>>` appends). */
async function write(ctr: string, text: string, append = false): Promise<void> {
  await docker('exec', ctr, 'sh', '-c', `echo "${text}" ${append ? '>>' : '>'} /data/schema.sql`);
}

async function transcript(t: Test): Promise<void> {
  await dockerGroupUser(t);
  await setAuthor(t);
  const volume = uniqueName('btrfs_mysql');
  const name = uniqueName('btrfs-ctr');
  // Registered first, so it runs first: the container goes before its volume.
  t.teardown(async () => {
    await docker('rm', '-f', '-v', name).catch(() => undefined);
    await dvol('rm', '-f', volume);
  });
  t.equal(await dvolOk(t, 'init', volume), `Created empty volume ${volume}.\n`);
  t.equal(await volumeDriver(volume), 'btrfs', 'a new volume gets the btrfs driver');
  await runDetached(t, ['-v', `${volume}:/data`, image, ...SLEEP_UNTIL_STOPPED], name);

  await write(name, 'create table users');
  t.match(
    await dvolOk(t, 'commit', '-m', 'import base schema', volume),
    /^\[\S+ [0-9a-f]{7}\] import base schema\n$/,
  );
  await fsckClean(t, 'after commit');

  await write(name, 'alter table users', true);
  const refused = await dvol('checkout', '-b', 'schema-tweaks', volume);
  t.equal(refused.code, 4, 'checkout -b is refused with uncommitted changes');
  t.equal(
    refused.stderr.split('\n')[0],
    `dvol: Volume ${volume} has uncommitted changes. Please commit these before switching branches.`,
  );
  await fsckClean(t, 'after the refused checkout');

  t.equal(
    await dvolOk(t, 'reset', '--hard', 'HEAD', volume),
    `Resetting ${volume} to latest commit... done.\nRestarted container ${name}.\n`,
  );
  t.equal(await containerFile(name, '/data/schema.sql'), 'create table users\n', 'the container sees HEAD');
  await fsckClean(t, 'after reset --hard HEAD');

  t.equal(
    await dvolOk(t, 'checkout', '-b', 'schema-tweaks', volume),
    `Switched to branch schema-tweaks based from ${volume} master@HEAD.\nRestarted container ${name}.\n`,
  );
  await write(name, 'alter table users add index blah', true);
  await dvolOk(t, 'commit', '-m', 'experiment with adding indexes to users table', volume);
  await fsckClean(t, 'after the commit on the branch');

  t.equal(
    await dvolOk(t, 'checkout', 'master', volume),
    `Switched to branch master of ${volume}.\nRestarted container ${name}.\n`,
  );
  t.equal(await containerFile(name, '/data/schema.sql'), 'create table users\n', 'master has the base');
  await dvolOk(t, 'checkout', 'schema-tweaks', volume);
  t.equal(
    await containerFile(name, '/data/schema.sql'),
    'create table users\nalter table users add index blah\n',
    'the branch has its change',
  );
  await fsckClean(t, 'after checkout master and back');
}

/** A volume made with `docker volume create -o`, written and committed; resolves with its branch dir. */
async function optionVolume(t: Test, state: string, opts: Record<string, string>): Promise<string> {
  const volume = await createVolume(t, opts, uniqueName('btrfs-opt'));
  t.equal(await volumeDriver(volume), 'btrfs', `${JSON.stringify(opts)}: the btrfs driver`);
  await runOnce(['-v', `${volume}:/data`, image, 'sh', '-c', 'seq 1 20000 > /data/rows']);
  await dvolOk(t, 'commit', '-m', 'rows', volume);
  await fsckClean(t, `after committing a volume made with ${JSON.stringify(opts)}`);
  return join(state, 'volumes', volume, 'data', 'branches', 'master');
}

t.test('the CLI with the plugin state directory on btrfs', async (t) => {
  const state = await stateOnLoopFs(t, 'btrfs');
  useSocket(t, join(state, 'run', 'dvol.sock'));
  // Subtests, so their containers and volumes are gone before the state directory is put back.
  await t.test('condensed seed 000 transcript', transcript);
  await t.test('compression=zstd at create time', async (t) => {
    await dockerGroupUser(t);
    await setAuthor(t);
    const zstd = await optionVolume(t, state, { compression: 'zstd' });
    t.equal(
      await runOk('btrfs', ['property', 'get', zstd, 'compression']),
      'compression=zstd',
      'compression=zstd: the subvolume compresses',
    );
  });
  await t.test('copyonwrite=false at create time', async (t) => {
    await dockerGroupUser(t);
    await setAuthor(t);
    const nocow = await optionVolume(t, state, { copyonwrite: 'false' });
    t.match(await runOk('lsattr', ['-d', nocow]), /^\S*C\S* /, 'copyonwrite=false: the subvolume is No_COW');
    t.match(await runOk('lsattr', [join(nocow, 'rows')]), /^\S*C\S* /, 'and so are files written into it');
  });
  await t.test('a .nocow file is honoured from the next mount, as in buttervolume', async (t) => {
    const volume = await createVolume(t, {}, uniqueName('btrfs-marker'));
    const data = join(state, 'volumes', volume, 'data', 'branches', 'master');
    await runOnce(['-v', `${volume}:/data`, image, 'touch', '/data/.nocow']);
    await runOnce(['-v', `${volume}:/data`, image, 'sh', '-c', 'seq 1 20000 > /data/rows']);
    t.match(await runOk('lsattr', ['-d', data]), /^\S*C\S* /, 'the data directory became No_COW at mount');
    t.match(await runOk('lsattr', [join(data, 'rows')]), /^\S*C\S* /, 'a file written after that is No_COW');
  });
});
