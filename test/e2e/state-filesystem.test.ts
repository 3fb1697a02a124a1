// The plugin's state directory as a careful user sets it up: on its own fresh ext4 filesystem (whose
// root holds lost+found) it enables and works; on a directory holding a foreign file it still
// enables, `docker volume create` and `dvol list` print the reason and the fix (exit status 5 for
// dvol), and removing the file makes the next command work, without disable/enable.
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { docker, dockerResult } from './lib/exec.js';
import { busyboxImage } from './lib/images.js';
import { uniqueName } from './lib/names.js';
import { PLUGIN, api, pluginEnabled, waitForPlugin } from './lib/plugin.js';
import { volumeDriver } from './lib/postgres.js';
import { createVolume, runOnce } from './lib/resources.js';
import { setStateSource, stateOnLoopFs, stateSource } from './lib/statefs.js';
import { waitFor } from './lib/wait.js';
import { dockerGroupUser, dvol, dvolOk, fsckClean, setAuthor, useSocket } from './fixtures/dvol.js';

const image = await busyboxImage();
await waitForPlugin();

/** The reason and the fix, as the plugin sees its state directory (/var/lib/dvol inside it). */
const REASON =
  "the dvol plugin cannot open its state directory: /var/lib/dvol is not empty and has no format.json, so it is not a dvol state directory (it holds 'notes.txt')";
const FIX =
  "hint: remove what is not dvol's from /var/lib/dvol, or point dvol at an empty directory or an existing dvol state directory; dvol tries again at the next docker or dvol command; to use another directory: 'docker plugin disable dvol', 'docker plugin set dvol state.source=DIR', 'docker plugin enable dvol' (/var/lib/dvol is where the plugin sees its state.source)";

t.test('the state directory on a fresh ext4 filesystem: enables and works', async (t) => {
  const state = await stateOnLoopFs(t, 'ext4');
  useSocket(t, join(state, 'run', 'dvol.sock'));
  t.ok((await readdir(state)).includes('lost+found'), 'mkfs.ext4 left lost+found at the root');
  await t.test('create, a container writes, commit', async (t) => {
    await dockerGroupUser(t);
    await setAuthor(t);
    const volume = await createVolume(t, {}, uniqueName('ext4'));
    t.equal(await volumeDriver(volume), 'plain', 'ext4 has no reflink: the plain driver');
    await runOnce(['-v', `${volume}:/data`, image, 'sh', '-c', 'echo hello > /data/greeting']);
    t.match(await dvolOk(t, 'commit', '-m', 'first', volume), /^\[\S+ [0-9a-f]{7}\] first\n$/);
    t.match(await dvolOk(t, 'log', volume), /first/);
    await fsckClean(t, 'after the commit on ext4');
  });
});

/** Points the plugin at `source` without waiting for its store: it must enable all the same. */
async function enableOn(t: Test, source: string): Promise<void> {
  if (await pluginEnabled()) await docker('plugin', 'disable', '-f', PLUGIN);
  await docker('plugin', 'set', PLUGIN, `state.source=${source}`);
  const enabled = await dockerResult('plugin', 'enable', PLUGIN);
  t.same(enabled, { code: 0, stdout: `${PLUGIN}\n`, stderr: '' }, 'docker plugin enable succeeds');
  await waitFor('the plugin to answer', async () => {
    return (await api('POST', '/VolumeDriver.Capabilities', {})).status === 200;
  });
}

t.test('a state directory holding a foreign file: the reason and the fix; removed, it works', async (t) => {
  const original = await stateSource();
  const wasEnabled = await pluginEnabled();
  const dir = await mkdtemp('/var/tmp/dvol-foreign-');
  t.teardown(async () => {
    try {
      await setStateSource(original);
      if (!wasEnabled) await docker('plugin', 'disable', PLUGIN);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  await chmod(dir, 0o755);
  await writeFile(join(dir, 'notes.txt'), 'not dvol data\n');
  await enableOn(t, dir);
  useSocket(t, join(dir, 'run', 'dvol.sock'));

  await t.test('docker volume create and dvol list say why and what to do', async (t) => {
    await dockerGroupUser(t);
    const name = uniqueName('foreign');
    const created = await dockerResult('volume', 'create', '-d', PLUGIN, name);
    t.comment(`docker volume create: exit ${created.code}\n${created.stderr}`);
    t.equal(created.code, 1, 'docker volume create fails');
    t.equal(created.stderr, `Error response from daemon: create ${name}: ${REASON}\n${FIX}\n`);
    const listed = await dvol('list');
    t.comment(`dvol list: exit ${listed.code}\n${listed.stderr}`);
    t.same(listed, { code: 5, stdout: '', stderr: `dvol: ${REASON}\n${FIX}\n` }, 'dvol list: exit 5');
    const ls = await dockerResult('volume', 'ls');
    t.comment(`docker volume ls: exit ${ls.code}\n${ls.stdout}${ls.stderr}`);
    t.same(await readdir(dir), ['notes.txt', 'run'], 'only the CLI socket was added to the directory');
  });

  await t.test('removing the file makes the next command work', async (t) => {
    await dockerGroupUser(t);
    await setAuthor(t);
    await rm(join(dir, 'notes.txt'));
    // The plugin retries at most once a second.
    await new Promise((r) => setTimeout(r, 1100));
    t.same(
      await dvol('list'),
      { code: 0, stdout: '  VOLUME  SIZE  BRANCHES  ACTIVE BRANCH  CONTAINERS\n', stderr: '' },
      'dvol list works: no volumes yet',
    );
    const volume = await createVolume(t, {}, uniqueName('fixed'));
    await runOnce(['-v', `${volume}:/data`, image, 'sh', '-c', 'echo hello > /data/greeting']);
    await dvolOk(t, 'commit', '-m', 'first', volume);
    await fsckClean(t, 'after the commit in the fixed directory');
  });
});
