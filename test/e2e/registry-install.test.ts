// Distribution for real: push the plugin to a local registry, remove it, install it back from the
// registry with --alias dvol, and the volumes still work.
import t from 'tap';
import { docker, runOk } from './lib/exec.js';
import { checkSeeded, seedVolume } from './lib/history.js';
import { busyboxImage } from './lib/images.js';
import { fsck, PLUGIN, waitForPlugin } from './lib/plugin.js';
import { startRegistry } from './lib/registry.js';
import { createVolume, runOnce } from './lib/resources.js';

const REPO = new URL('../../', import.meta.url).pathname;
const image = await busyboxImage();
await waitForPlugin();

t.test('push to a registry, remove, install --alias dvol from it: volumes still work', async (t) => {
  const seeded = await seedVolume(t, image);
  const registry = await startRegistry(t);
  const ref = `${registry}/dvol/dvol:test`;

  const pushed = await runOk('bash', ['build/push.sh', ref], { cwd: REPO, timeout: 600_000 });
  t.match(pushed, new RegExp(`pushed ${ref}`), 'build/push.sh pushed the plugin');
  const tags = (await (await fetch(`http://${registry}/v2/dvol/dvol/tags/list`)).json()) as {
    tags?: string[];
  };
  t.same(tags.tags, ['test'], 'the registry has it');

  await docker('plugin', 'disable', '-f', PLUGIN);
  await docker('plugin', 'rm', '-f', PLUGIN);
  await docker('plugin', 'install', '--grant-all-permissions', '--alias', PLUGIN, ref);
  t.equal(
    await docker('plugin', 'inspect', '-f', '{{.PluginReference}}', PLUGIN),
    ref,
    'installed from the registry',
  );
  await waitForPlugin();

  await checkSeeded(t, image, seeded, 'after reinstalling from the registry');
  const fresh = await createVolume(t);
  t.equal(
    await runOnce(['-v', `${fresh}:/data`, image, 'sh', '-c', 'echo new > /data/f; cat /data/f']),
    'new',
    'a new volume works',
  );
  await fsck(t);
});
