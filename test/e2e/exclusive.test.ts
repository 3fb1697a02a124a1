// Exclusive volumes and the events stream against the installed plugin: a second container refused
// with the holder's name, `docker cp` into the holder still working, the volume free once the holder
// stops; `dvol watch --json` showing a change made in a container within a second.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t from 'tap';
import { CLI, dockerGroupUser, dvolOk, fsckClean } from './fixtures/dvol.js';
import { docker, dockerResult } from './lib/exec.js';
import { busyboxImage } from './lib/images.js';
import { waitForPlugin } from './lib/plugin.js';
import { createVolume, LABEL, runDetached } from './lib/resources.js';

const busybox = await busyboxImage();
await waitForPlugin();

/** `docker run` arguments: the volume at /data, busybox running `cmd`. */
const onVolume = (volume: string, ...cmd: string[]) => [
  '-v',
  `${volume}:/data`,
  '--volume-driver=dvol',
  busybox,
  ...cmd,
];
/** A second container on the volume, run to completion: its status and output. */
const another = (volume: string, ...cmd: string[]) =>
  dockerResult('run', '--rm', '--label', LABEL, ...onVolume(volume, ...cmd));

t.test('a second container is refused with the holder named; docker cp into the holder works', async (t) => {
  await dockerGroupUser(t);
  const volume = await createVolume(t, { exclusive: 'true' });
  const inspect = JSON.parse(await docker('volume', 'inspect', volume)) as {
    Status: Record<string, unknown>;
  }[];
  t.equal(inspect[0]?.Status.exclusive, true, 'docker volume inspect shows the policy');
  t.match(await dvolOk(t, 'exclusive', volume), /: exclusive/);
  const holder = await runDetached(t, onVolume(volume, 'sleep', '3600'));

  const second = await another(volume, 'true');
  t.not(second.code, 0, 'a second container does not start');
  t.match(second.stderr, `volume '${volume}' is exclusive and already mounted by container '${holder}'`);

  const dir = await mkdtemp(join(tmpdir(), 'dvol-cp-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'copied'), 'through docker cp\n');
  await docker('cp', join(dir, 'copied'), `${holder}:/data/copied`);
  t.equal(
    await docker('exec', holder, 'cat', '/data/copied'),
    'through docker cp',
    'docker cp into the holder',
  );
  t.match(await dvolOk(t, 'list'), new RegExp(`${volume} .* exclusive\\n`), 'dvol list shows the policy');

  await docker('stop', '-t', '1', holder);
  const after = await another(volume, 'cat', '/data/copied');
  t.same([after.code, after.stdout.trim()], [0, 'through docker cp'], 'free once the holder stopped');

  await docker('start', holder);
  await dvolOk(t, 'exclusive', 'off', volume);
  const shared = await another(volume, 'true');
  t.equal(shared.code, 0, 'made shared, a second container mounts it');
  await fsckClean(t, 'after the exclusive steps');
});

t.test('dvol watch shows a change made in a container within a second', async (t) => {
  const volume = await createVolume(t);
  const ctr = await runDetached(t, onVolume(volume, 'sleep', '3600'));
  const watch = spawn(process.execPath, [CLI, 'watch', '--json', volume], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => void watch.kill('SIGINT'));
  const lines = createInterface({ input: watch.stdout })[Symbol.asyncIterator]();
  const next = async () =>
    JSON.parse(((await lines.next()).value as string | undefined) ?? 'null') as Record<string, unknown>;
  t.same(await next(), { watching: volume }, 'the watch is in place');
  const start = Date.now();
  await docker('exec', ctr, 'sh', '-c', 'echo 1 > /data/seen');
  let line = await next();
  while (line.type !== 'created') line = await next();
  const ms = Date.now() - start;
  t.match(line, { volume, type: 'created', path: 'seen', kind: 'file' });
  t.ok(ms < 1000, `seen ${ms} ms after docker exec wrote it (an upper bound: it includes docker exec)`);
  await docker('stop', '-t', '1', ctr);
  while (line.type !== 'unmount') line = await next();
  t.match(line, { type: 'unmount' }, "Docker's Unmount is an event too");
});
