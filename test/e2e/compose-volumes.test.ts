// docker-compose (whatever the host provides: Debian 12's v1 `docker-compose`, or the v2 plugin)
// with a dvol volume and `driver_opts`: up, down, up again, down -v.
import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { docker, run, runOk } from './lib/exec.js';
import { busyboxImage } from './lib/images.js';
import { uniqueName } from './lib/names.js';
import { api, DRIVER, fsck, waitForPlugin } from './lib/plugin.js';
import { LABEL } from './lib/resources.js';
import { volumeExists, volumeStatus } from './lib/volumes.js';
import { waitFor } from './lib/wait.js';

const image = await busyboxImage();
await waitForPlugin();

// Compose v1 gives up on a daemon call after 60 s; a loaded CI machine can take longer.
const COMPOSE_OPTS = { timeout: 600_000, env: { ...process.env, COMPOSE_HTTP_TIMEOUT: '300' } };

/** argv of the compose command this host has. */
async function composeCommand(): Promise<string[]> {
  if ((await run('docker-compose', ['version'])).code === 0) return ['docker-compose'];
  if ((await run('docker', ['compose', 'version'])).code === 0) return ['docker', 'compose'];
  throw new Error(
    'neither docker-compose nor docker compose is installed: apt-get install -y docker-compose',
  );
}
const [cmd = 'docker-compose', ...prefix] = await composeCommand();

/** A one-service project whose service appends a line to /data/starts at each start; down -v at teardown. */
function project(t: Test, driver: string) {
  const name = uniqueName('compose');
  const file = join(t.testdir({}), 'docker-compose.yml');
  writeFileSync(
    file,
    `version: "2.4"
services:
  app:
    image: ${image}
    command: ["sh", "-c", "echo started >> /data/starts; trap 'exit 0' TERM; while true; do sleep 1; done"]
    volumes: ["db:/data"]
    labels: ["${LABEL}"]
volumes:
  db:
    driver: ${driver}
    driver_opts:
      driver: plain
`,
  );
  const argv = (args: string[]) => [...prefix, '-p', name, '-f', file, ...args];
  const compose = (...args: string[]) => runOk(cmd, argv(args), COMPOSE_OPTS);
  t.teardown(() => run(cmd, argv(['down', '-v', '--timeout', '1']), COMPOSE_OPTS));
  /** Waits until the volume has recorded `n` starts of the service. */
  const starts = (n: number) =>
    waitFor(`${n} start(s) recorded in the volume`, async () => {
      const ctr = await compose('ps', '-q', 'app');
      return (await docker('exec', ctr, 'cat', '/data/starts')).split('\n').length === n;
    });
  return { volume: `${name}_db`, compose, starts };
}

// Compose v1 compares the file's driver with the volume's, and Docker names a managed plugin's
// driver with its tag: only `dvol:latest` lets a second `up` reuse the volume.
t.test('compose up, down, up, down -v with driver: dvol:latest', async (t) => {
  const { volume, compose, starts } = project(t, DRIVER);
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

t.test('compose up and down -v with driver: dvol', async (t) => {
  const { volume, compose, starts } = project(t, 'dvol');
  await compose('up', '-d');
  t.equal(
    await docker('volume', 'inspect', '-f', '{{.Driver}}', volume),
    DRIVER,
    'compose made a dvol volume',
  );
  t.match(await volumeStatus(volume), { driver: 'plain' }, 'driver_opts reached the plugin');
  await starts(1);
  await fsck(t, volume);
  await compose('down', '-v', '--timeout', '1');
  t.notOk(await volumeExists(volume), 'down -v removed the volume');
  await fsck(t);
});
