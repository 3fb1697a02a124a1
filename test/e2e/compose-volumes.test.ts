// Compose with dvol volumes. Compose v2 (what users run): `driver: dvol` with `driver_opts` through
// up, down, up, down -v; and the seed's `dvol init NAME` followed by `up` on that volume. Debian 12's
// compose v1 (1.29, when installed): what its users must write instead (`driver: dvol:latest`).
import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from './fixtures/dvol.js';
import { composeV1, composeV2, COMPOSE_OPTS, type Compose } from './lib/compose.js';
import { docker, run, runOk } from './lib/exec.js';
import { busyboxImage } from './lib/images.js';
import { uniqueName } from './lib/names.js';
import { api, DRIVER, fsck, waitForPlugin } from './lib/plugin.js';
import { LABEL } from './lib/resources.js';
import { volumeExists, volumeStatus } from './lib/volumes.js';
import { waitFor } from './lib/wait.js';

const image = await busyboxImage();
await waitForPlugin();
const v2 = await composeV2();
const v1 = await composeV1();

interface Volume {
  driver: string;
  /** The volume's Docker name, for a volume made beforehand (`dvol init`): compose's `name:`. */
  name?: string;
}

/**
 * A one-service project whose service appends a line to /data/starts at each start, run with
 * `compose`; down -v at teardown.
 */
function project(t: Test, compose: Compose, vol: Volume) {
  const name = uniqueName('compose');
  const file = join(t.testdir({}), 'docker-compose.yml');
  // A volume dvol init made has no options, and v1 refuses a file whose options differ from them.
  const extra = vol.name ? `    name: ${vol.name}\n` : '    driver_opts:\n      driver: plain\n';
  writeFileSync(
    file,
    `services:
  app:
    image: ${image}
    command: ["sh", "-c", "echo started >> /data/starts; trap 'exit 0' TERM; while true; do sleep 1; done"]
    volumes: ["db:/data"]
    labels: ["${LABEL}"]
volumes:
  db:
    driver: ${vol.driver}
${extra}`,
  );
  const argv = (args: string[]) => [...compose.prefix, '-p', name, '-f', file, ...args];
  const result = (...args: string[]) => run(compose.cmd, argv(args), COMPOSE_OPTS);
  const ok = (...args: string[]) => runOk(compose.cmd, argv(args), COMPOSE_OPTS);
  t.teardown(() => result('down', '-v', '--timeout', '1'));
  /** Waits until the volume has recorded `n` starts of the service. */
  const starts = (n: number) =>
    waitFor(`${n} start(s) recorded in the volume`, async () => {
      const ctr = await ok('ps', '-q', 'app');
      return (await docker('exec', ctr, 'cat', '/data/starts')).split('\n').length === n;
    });
  return { volume: vol.name ?? `${name}_db`, compose: ok, result, starts };
}

/** `dvol init NAME` with the built CLI; the volume is removed at teardown. */
async function dvolInit(t: Test): Promise<string> {
  const name = uniqueName('seed');
  t.teardown(() => run('docker', ['volume', 'rm', '-f', name]));
  t.match(await runOk(process.execPath, [CLI, 'init', name]), `Created empty volume ${name}.`, 'dvol init');
  return name;
}

t.test(`compose v2 (${v2.version}): up, down, up, down -v with driver: dvol`, async (t) => {
  const { volume, compose, starts } = project(t, v2, { driver: 'dvol' });
  await compose('up', '-d');
  t.equal(
    await docker('volume', 'inspect', '-f', '{{.Driver}}', volume),
    DRIVER,
    'compose made a dvol volume',
  );
  t.match(
    await volumeStatus(volume),
    { driver: 'plain', branch: 'master' },
    'driver_opts reached the plugin',
  );
  await starts(1);
  t.equal((await volumeStatus(volume)).mounts, 1, 'the service mounted it');
  await fsck(t, volume);

  await compose('down', '--timeout', '1');
  t.ok(await volumeExists(volume), 'down keeps the volume');
  t.equal((await volumeStatus(volume)).mounts, 0, 'and unmounted it');

  await compose('up', '-d');
  await starts(2);
  t.pass('up again finds the data of the first run');
  await fsck(t, volume);

  await compose('down', '-v', '--timeout', '1');
  t.notOk(await volumeExists(volume), 'down -v removed the volume');
  t.equal((await api('GET', `/dvol/volumes/${volume}`)).status, 404, 'and the plugin deleted it');
  await fsck(t);
});

t.test(`compose v2 (${v2.version}): dvol init NAME, then up with driver: dvol (seed 000)`, async (t) => {
  const name = await dvolInit(t);
  const { compose, starts } = project(t, v2, { driver: 'dvol', name });
  await compose('up', '-d');
  await starts(1);
  t.equal((await volumeStatus(name)).mounts, 1, 'the service mounted the volume dvol init made');
  await compose('down', '--timeout', '1');
  await compose('up', '-d');
  await starts(2);
  t.pass('a second up reuses it: compose v2 accepts the driver name dvol for dvol:latest');
  await fsck(t, name);
});

t.test(
  `compose v1${v1 ? ` (${v1.version})` : ''}: after dvol init NAME, the file must say driver: dvol:latest`,
  { skip: v1 ? false : "Debian 12's docker-compose (v1) is not installed" },
  async (t) => {
    const compose = v1 as Compose;
    const name = await dvolInit(t);
    const plain = project(t, compose, { driver: 'dvol', name });
    const refused = await plain.result('up', '-d');
    t.not(refused.code, 0, 'v1 refuses driver: dvol for the volume dvol init made');
    t.match(refused.stderr, /different driver|dvol:latest/, 'and says the driver names differ');

    const tagged = project(t, compose, { driver: DRIVER, name });
    await tagged.compose('up', '-d');
    await tagged.starts(1);
    await tagged.compose('down', '--timeout', '1');
    await tagged.compose('up', '-d');
    await tagged.starts(2);
    t.pass('with driver: dvol:latest, up and a second up use the volume');
    await fsck(t, name);
  },
);
