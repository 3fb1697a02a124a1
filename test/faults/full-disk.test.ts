// Full disk: the plugin's state directory on a small loopback xfs filesystem that a container fills
// up, as a database would. commit, checkout -b, reset, create, Mount and Unmount then each meet
// ENOSPC: each fails with one clear sentence (or, for Mount and Unmount, succeeds from a reserve),
// leaves nothing behind (no bind, no count, no temporary file, fsck clean), and once the container
// frees the space everything works again.
import { readFile, readdir, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { mountedUnder } from '../../src/server/bind.js';
import { docker, dockerResult } from '../e2e/lib/exec.js';
import { busyboxImage } from '../e2e/lib/images.js';
import { uniqueName } from '../e2e/lib/names.js';
import { pluginId, waitForPlugin } from '../e2e/lib/plugin.js';
import { createVolume, removeVolumeAtTeardown, runDetached } from '../e2e/lib/resources.js';
import { stateOnLoopFs } from '../e2e/lib/statefs.js';
import { volumeStatus } from '../e2e/lib/volumes.js';
import { pluginClient, type Client } from './lib/dvolapi.js';

const AUTHOR = 'Fault <fault@example.com>';
const LOOP = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.1; done'];
const NO_SPACE = /^no space left on the device while [^\n]+(\nhint: [^\n]+)?$/;

t.setTimeout(15 * 60_000);
const image = await busyboxImage();
await waitForPlugin();

/** Every path under the state directory except the volumes' working data (a container's business). */
async function metadataFiles(state: string): Promise<string[]> {
  const all = await readdir(state, { recursive: true });
  return all
    .filter((p) => !/^volumes\/[^/]+\/data\/branches\/[^/]+\//.test(p) && !p.startsWith('run/'))
    .sort();
}

/** Runs a busybox shell `script` in a throw-away container with `volume` at /data. */
function inVolume(volume: string, script: string): Promise<string> {
  return docker('run', '--rm', '--label', 'dvol-e2e', '-v', `${volume}:/data`, image, 'sh', '-c', script);
}

/** The propagated mount of the plugin, where Docker sees each volume's bind. */
async function boundVolumes(): Promise<Set<string>> {
  return mountedUnder(`/var/lib/docker/plugins/${await pluginId()}/propagated-mount`);
}

async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

/** Asserts a /dvol answer is a no_space error with one clear sentence. */
function noSpace(t: Test, answer: Awaited<ReturnType<Client>>, what: string): void {
  const error = answer.body.error as { code?: string; message?: string; hint?: string } | undefined;
  t.equal(answer.status, 507, `${what}: 507 Insufficient Storage`);
  t.equal(error?.code, 'no_space', `${what}: code no_space`);
  t.match(error?.message ?? '', NO_SPACE, `${what}: one clear sentence: ${error?.message}`);
}

async function fsckClean(t: Test, api: Client, when: string): Promise<void> {
  const answer = await api('GET', '/dvol/fsck');
  t.same(
    { status: answer.status, problems: answer.body.problems },
    { status: 200, problems: [] },
    `fsck clean ${when}`,
  );
}

t.test('every operation meets a full state filesystem and recovers once space is freed', async (t) => {
  const state = await stateOnLoopFs(t, 'xfs', 320 << 20);
  const api = await pluginClient();
  await t.test('on a full disk', async (t) => {
    // db: the volume a database fills the disk through; two containers so one can stop while the
    // other frees the space. spare: a second volume with history and uncommitted work.
    const db = await createVolume(t, { driver: 'plain' });
    const spare = await createVolume(t, { driver: 'plain' });
    const writer = await runDetached(t, ['-v', `${db}:/data`, image, ...LOOP]);
    const reader = await runDetached(t, ['-v', `${db}:/data`, image, ...LOOP]);
    await inVolume(spare, 'seq 1 200000 > /data/rows');
    t.equal(
      (await api('POST', `/dvol/volumes/${spare}/commits`, { message: 'rows', author: AUTHOR })).status,
      201,
      'spare has a commit',
    );
    await inVolume(spare, 'echo dirty >> /data/rows');
    // clean: committed and clean, so checkout -b has to copy its data.
    const clean = await createVolume(t, { driver: 'plain' });
    await inVolume(clean, 'seq 1 100000 > /data/rows');
    t.equal(
      (await api('POST', `/dvol/volumes/${clean}/commits`, { message: 'rows', author: AUTHOR })).status,
      201,
      'clean has a commit',
    );
    t.equal((await volumeStatus(db)).mounts, 2, 'db is mounted by both containers');

    await docker(
      'exec',
      writer,
      'sh',
      '-c',
      'dd if=/dev/zero of=/data/fill bs=1M 2>/dev/null; dd if=/dev/zero of=/data/fill2 bs=4k 2>/dev/null; true',
    );
    t.ok(
      (await freeBytes(state)) < 1 << 20,
      `the state filesystem is full (${await freeBytes(state)} bytes free)`,
    );
    const files = await metadataFiles(state);

    noSpace(
      t,
      await api('POST', `/dvol/volumes/${db}/commits`, { message: 'full', author: AUTHOR }),
      'commit',
    );
    t.equal(
      await docker('inspect', '-f', '{{.State.Status}}', writer),
      'running',
      'commit unpaused the container',
    );
    noSpace(
      t,
      await api('POST', `/dvol/volumes/${clean}/checkout`, { branch: 'exp', create: true }),
      'checkout -b',
    );
    noSpace(
      t,
      await api('POST', `/dvol/volumes/${spare}/reset`, { ref: 'HEAD', hard: true }),
      'reset --hard',
    );
    const rows = await readFile(join(state, 'volumes', spare, 'data', 'branches', 'master', 'rows'), 'utf8');
    t.equal(rows.trim().split('\n').at(-1), 'dirty', 'the failed reset left the working data as it was');
    const fresh = uniqueName('full');
    removeVolumeAtTeardown(t, fresh);
    const created = await dockerResult('volume', 'create', '-d', 'dvol', fresh);
    t.not(created.code, 0, 'create fails');
    t.match(
      created.stderr,
      /no space left on the device while/,
      `create: one clear sentence: ${created.stderr.trim()}`,
    );
    t.equal((await dockerResult('volume', 'inspect', fresh)).code, 1, 'Docker does not know the volume');
    t.same(
      await metadataFiles(state),
      files,
      'the failures left no file behind (no temporary, no half-made record)',
    );
    await fsckClean(t, api, 'after the failed commit, checkout -b, reset and create');

    // Mount: a container on the unmounted volume.
    const mounted = await dockerResult(
      'run',
      '--rm',
      '--label',
      'dvol-e2e',
      '-v',
      `${spare}:/data`,
      image,
      'true',
    );
    if (mounted.code !== 0) {
      t.match(
        mounted.stderr,
        /no space left on the device while/,
        `Mount fails with one clear sentence: ${mounted.stderr.trim()}`,
      );
    } else {
      t.pass('Mount succeeded from a reserve');
    }
    t.equal((await volumeStatus(spare)).mounts, 0, 'after the Mount, nothing counts spare as mounted');
    t.notOk((await boundVolumes()).has(spare), 'and nothing is bound');

    // Unmount: one of db's two containers stops.
    await docker('stop', reader);
    t.equal(
      (await volumeStatus(db)).mounts,
      1,
      'the Unmount of the stopped container counted, full disk or not',
    );
    t.ok((await boundVolumes()).has(db), 'db stays bound for the other container');
    t.equal(
      await docker('exec', writer, 'sh', '-c', 'test -s /data/fill && echo yes'),
      'yes',
      'which still sees its data',
    );
    await fsckClean(t, api, 'after Mount and Unmount on a full disk');

    // The database frees the space.
    await docker('exec', writer, 'rm', '-f', '/data/fill', '/data/fill2');
    t.ok((await freeBytes(state)) > 100 << 20, 'space is free again');
    t.equal(
      (await api('POST', `/dvol/volumes/${db}/commits`, { message: 'after', author: AUTHOR })).status,
      201,
      'commit works again',
    );
    t.match(
      await api('POST', `/dvol/volumes/${spare}/reset`, { ref: 'HEAD', hard: true }),
      { status: 200 },
      'reset works again',
    );
    t.match(
      await api('POST', `/dvol/volumes/${clean}/checkout`, { branch: 'exp', create: true }),
      { status: 200 },
      'checkout -b works again',
    );
    t.equal((await dockerResult('volume', 'create', '-d', 'dvol', fresh)).code, 0, 'create works again');
    t.equal(
      await docker(
        'run',
        '--rm',
        '--label',
        'dvol-e2e',
        '-v',
        `${spare}:/data`,
        image,
        'tail',
        '-n',
        '1',
        '/data/rows',
      ),
      '200000',
      'Mount works again, on the reset data',
    );
    t.equal((await volumeStatus(spare)).mounts, 0, 'and its Unmount too');
    await docker('start', reader);
    t.equal((await volumeStatus(db)).mounts, 2, 'db counts both containers again');
    await fsckClean(t, api, 'once space was freed');
  });
});
