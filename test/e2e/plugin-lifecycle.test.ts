// Data and history survive plugin disable/enable, an upgrade by re-running `npm run setup`, and a
// dockerd restart.
import t from 'tap';
import { docker, runOk } from './lib/exec.js';
import { restartDockerd } from './lib/dockerd.js';
import { checkSeeded, seedVolume } from './lib/history.js';
import { busyboxImage } from './lib/images.js';
import { pluginId, PLUGIN, waitForPlugin } from './lib/plugin.js';
import { runDetached } from './lib/resources.js';
import { waitFor } from './lib/wait.js';
import { SLEEP_UNTIL_STOPPED, volumeStatus } from './lib/volumes.js';

const REPO = new URL('../../', import.meta.url).pathname;
const image = await busyboxImage();
await waitForPlugin();

t.test('data and history survive plugin disable and enable', async (t) => {
  const seeded = await seedVolume(t, image);
  // Every volume pins the plugin, so disabling it needs -f.
  await docker('plugin', 'disable', '-f', PLUGIN);
  await docker('plugin', 'enable', PLUGIN);
  await waitForPlugin();
  await checkSeeded(t, image, seeded, 'after disable/enable');
});

t.test('data and history survive an upgrade by re-running npm run setup', async (t) => {
  const seeded = await seedVolume(t, image);
  const before = await pluginId();
  const out = await runOk('bash', ['build/setup.sh'], { cwd: REPO, timeout: 900_000 });
  t.match(out, /replacing plugin dvol:latest/, 'setup replaced the installed plugin');
  t.not(await pluginId(), before, 'a new plugin instance runs');
  await waitForPlugin();
  await checkSeeded(t, image, seeded, 'after the upgrade');
});

t.test('setup refuses to upgrade while a container uses a dvol volume', async (t) => {
  const seeded = await seedVolume(t, image);
  const ctr = await runDetached(t, ['-v', `${seeded.volume}:/data`, image, ...SLEEP_UNTIL_STOPPED]);
  const r = await runOk('bash', ['build/install-plugin.sh', PLUGIN], { cwd: REPO }).then(
    () => undefined,
    (err: Error) => err,
  );
  t.match(r?.message, new RegExp(`in use by running containers: ${ctr}`), 'refused, naming the container');
  t.equal((await volumeStatus(seeded.volume)).mounts, 1, 'the volume stays mounted');
  await docker('stop', ctr);
  await checkSeeded(t, image, seeded, 'after the refused upgrade');
});

t.test('data, history and running containers survive a dockerd restart', async (t) => {
  const seeded = await seedVolume(t, image);
  const ctr = await runDetached(t, [
    '--restart',
    'always',
    '-v',
    `${seeded.volume}:/data`,
    image,
    ...SLEEP_UNTIL_STOPPED,
  ]);
  await restartDockerd();
  await waitForPlugin();
  await waitFor('the --restart always container to run again', async () => {
    return (await docker('inspect', '-f', '{{.State.Running}}', ctr)) === 'true';
  });
  t.pass('the --restart always container is back');
  t.equal(await docker('exec', ctr, 'cat', '/data/committed'), 'committed', 'and sees its volume');
  t.equal((await volumeStatus(seeded.volume)).mounts, 1, 'mounted once, by that container');
  await docker('stop', ctr);
  await checkSeeded(t, image, seeded, 'after a dockerd restart');
});
