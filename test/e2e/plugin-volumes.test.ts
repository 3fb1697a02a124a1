// docker run / cp / volume ls, inspect and rm against the installed dvol plugin, with fsck after each step.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { docker, dockerResult } from './lib/exec.js';
import { busyboxImage } from './lib/images.js';
import { uniqueName } from './lib/names.js';
import { api, DRIVER, fsck, PLUGIN, waitForPlugin } from './lib/plugin.js';
import { createVolume, removeVolumeAtTeardown, runDetached, runOnce } from './lib/resources.js';
import { SLEEP_UNTIL_STOPPED, volumeExists, volumeStatus } from './lib/volumes.js';
import { waitFor } from './lib/wait.js';

const image = await busyboxImage();
await waitForPlugin();

t.test('docker run with a named volume creates it implicitly and keeps its data', async (t) => {
  const vol = uniqueName('named');
  removeVolumeAtTeardown(t, vol);
  await runOnce([
    '--volume-driver',
    PLUGIN,
    '-v',
    `${vol}:/data`,
    image,
    'sh',
    '-c',
    'echo hello > /data/greeting',
  ]);
  t.equal(await docker('volume', 'inspect', '-f', '{{.Driver}}', vol), DRIVER, 'the volume is a dvol volume');
  await fsck(t, vol);
  const read = await runOnce([
    '--volume-driver',
    PLUGIN,
    '-v',
    `${vol}:/data`,
    image,
    'cat',
    '/data/greeting',
  ]);
  t.equal(read, 'hello', 'a second container sees the data');
  t.equal((await volumeStatus(vol)).mounts, 0, 'nothing holds it mounted after both exited');
});

t.test('an anonymous volume of a --rm container is removed with it', async (t) => {
  const ctr = await runDetached(t, [
    '--rm',
    '--volume-driver',
    PLUGIN,
    '-v',
    '/data',
    image,
    ...SLEEP_UNTIL_STOPPED,
  ]);
  const vol = await docker('inspect', '-f', '{{range .Mounts}}{{.Name}}{{end}}', ctr);
  t.match(vol, /^[0-9a-f]{64}$/, 'Docker named it with a random id');
  t.equal((await volumeStatus(vol)).mounts, 1, 'mounted once while the container runs');
  await docker('exec', ctr, 'sh', '-c', 'echo x > /data/f');
  await docker('stop', ctr);
  // --rm removes the container and its anonymous volumes after the stop has returned.
  await waitFor('the --rm container and its volume to go', async () => !(await volumeExists(vol)));
  t.pass('Docker removed the anonymous volume');
  t.equal((await api('GET', `/dvol/volumes/${vol}`)).status, 404, 'and so did the plugin');
  await fsck(t);
});

t.test('docker rm -v removes the anonymous volume and keeps the named one', async (t) => {
  const named = await createVolume(t);
  const ctr = uniqueName('rmv');
  t.teardown(() => dockerResult('rm', '-f', '-v', ctr));
  await docker(
    'run',
    '--name',
    ctr,
    '--label',
    'dvol-e2e',
    '--volume-driver',
    PLUGIN,
    '-v',
    '/anon',
    '-v',
    `${named}:/named`,
    image,
    'sh',
    '-c',
    'echo a > /anon/f; echo n > /named/f',
  );
  const anon = await docker(
    'inspect',
    '-f',
    '{{range .Mounts}}{{if eq .Destination "/anon"}}{{.Name}}{{end}}{{end}}',
    ctr,
  );
  t.ok(await volumeExists(anon), 'the anonymous volume exists while its container does');
  await docker('rm', '-v', ctr);
  t.notOk(await volumeExists(anon), 'rm -v removed the anonymous volume');
  t.ok(await volumeExists(named), 'rm -v keeps named volumes');
  t.equal(await runOnce(['-v', `${named}:/named`, image, 'cat', '/named/f']), 'n', 'with their data');
  await fsck(t);
});

t.test('--volumes-from shares the volume of another container', async (t) => {
  const vol = await createVolume(t);
  const source = await runDetached(t, [
    '-v',
    `${vol}:/data`,
    image,
    'sh',
    '-c',
    'echo from-source > /data/f; trap "exit 0" TERM; while true; do sleep 1; done',
  ]);
  const seen = await runOnce([
    '--volumes-from',
    source,
    image,
    'sh',
    '-c',
    'while [ ! -f /data/f ]; do sleep 0.2; done; cat /data/f',
  ]);
  t.equal(seen, 'from-source', "the second container sees the first one's data");
  t.equal(
    (await volumeStatus(vol)).mounts,
    1,
    'the exited --volumes-from container unmounted its own ID only',
  );
  await fsck(t, vol);
});

t.test('two containers share one volume and each stop unmounts only its own mount', async (t) => {
  const vol = await createVolume(t);
  const a = await runDetached(t, ['-v', `${vol}:/data`, image, ...SLEEP_UNTIL_STOPPED]);
  const b = await runDetached(t, ['-v', `${vol}:/data`, image, ...SLEEP_UNTIL_STOPPED]);
  t.equal((await volumeStatus(vol)).mounts, 2, 'two mount IDs');
  await docker('exec', a, 'sh', '-c', 'echo by-a > /data/a');
  t.equal(await docker('exec', b, 'cat', '/data/a'), 'by-a', 'b sees what a wrote');
  await docker('stop', a);
  t.equal((await volumeStatus(vol)).mounts, 1, 'stopping a released one mount');
  await docker('exec', b, 'sh', '-c', 'echo by-b > /data/b');
  t.equal(
    await docker('exec', b, 'cat', '/data/a', '/data/b'),
    'by-a\nby-b',
    'b still reads and writes the volume',
  );
  await docker('start', a);
  t.equal(await docker('exec', a, 'cat', '/data/b'), 'by-b', 'a restarted sees what b wrote meanwhile');
  await docker('stop', a, b);
  t.equal((await volumeStatus(vol)).mounts, 0, 'both stopped: nothing mounted');
  await fsck(t, vol);
});

t.test('docker cp into a running container writes into the volume and keeps it mounted', async (t) => {
  const vol = await createVolume(t);
  const ctr = await runDetached(t, ['-v', `${vol}:/data`, image, ...SLEEP_UNTIL_STOPPED]);
  const file = join(t.testdir({}), 'copied.txt');
  writeFileSync(file, 'copied in\n');
  await docker('cp', file, `${ctr}:/data/copied.txt`);
  t.equal(
    await docker('exec', ctr, 'cat', '/data/copied.txt'),
    'copied in',
    'the container sees the copied file',
  );
  t.equal((await volumeStatus(vol)).mounts, 1, 'cp mounted and unmounted the same ID: still mounted once');
  await docker('stop', ctr);
  t.equal((await volumeStatus(vol)).mounts, 0, 'the stop released the last mount');
  t.equal(
    await runOnce(['-v', `${vol}:/data`, image, 'cat', '/data/copied.txt']),
    'copied in',
    'the file is in the volume',
  );
  await fsck(t, vol);
});

t.test('docker volume ls, inspect and rm', async (t) => {
  const vol = await createVolume(t);
  const listed = (await docker('volume', 'ls', '-q', '--filter', `driver=${DRIVER}`)).split('\n');
  t.ok(listed.includes(vol), 'ls lists it');
  const [info] = JSON.parse(await docker('volume', 'inspect', vol)) as {
    Driver: string;
    Scope: string;
    Status: Record<string, unknown>;
  }[];
  t.equal(info?.Driver, DRIVER);
  t.equal(info?.Scope, 'local');
  t.match(info?.Status, { branch: 'master', head: '' }, 'Status shows the active branch and (no) HEAD');
  const committed = await api('POST', `/dvol/volumes/${vol}/commits`, {
    message: 'first',
    author: 'E2E <e2e@example.com>',
  });
  t.equal(committed.status, 201, 'a commit through the API');
  const head = (committed.body as { commit: { id: string } }).commit.id;
  t.equal((await volumeStatus(vol)).head, head, 'inspect shows the new HEAD');
  await fsck(t, vol);
  await docker('volume', 'rm', vol);
  t.notOk(await volumeExists(vol), 'rm removed it from Docker');
  t.equal((await api('GET', `/dvol/volumes/${vol}`)).status, 404, 'and its history from the plugin');
  await fsck(t);
});

t.test('docker volume rm is refused while a container uses the volume', async (t) => {
  const vol = await createVolume(t);
  const ctr = await runDetached(t, ['-v', `${vol}:/data`, image, ...SLEEP_UNTIL_STOPPED]);
  const rm = await dockerResult('volume', 'rm', vol);
  t.not(rm.code, 0, 'rm fails');
  t.match(rm.stderr, /in use/, 'because the volume is in use');
  t.ok(await volumeExists(vol), 'the volume is still there');
  await docker('stop', ctr);
  await fsck(t, vol);
});

t.test('a bad volume name or option fails docker volume create with our message', async (t) => {
  const bad = await dockerResult('volume', 'create', '-d', PLUGIN, 'bad..name');
  t.not(bad.code, 0, 'a name with .. is refused');
  t.match(bad.stderr, /invalid volume name 'bad\.\.name'/, "with dvol's message");
  t.notOk(await volumeExists('bad..name'), 'and no volume is left behind');

  const name = uniqueName('opt');
  removeVolumeAtTeardown(t, name);
  const opt = await dockerResult('volume', 'create', '-d', PLUGIN, '-o', 'colour=blue', name);
  t.not(opt.code, 0, 'an unknown option is refused');
  t.match(opt.stderr, /unknown option 'colour'/, 'naming the option');
  t.match(opt.stderr, /driver=/, 'and listing the known ones');
  t.notOk(await volumeExists(name), 'no volume is created');
  await fsck(t);
});
