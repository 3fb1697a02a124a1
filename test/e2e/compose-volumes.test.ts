// docker-compose (whatever the host provides: Debian 12's v1 `docker-compose`, or the v2 plugin)
// with `driver: dvol` and `driver_opts`: up, down, up again, down -v.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { docker, run, runOk, type Result } from './lib/exec.js';
import { busyboxImage } from './lib/images.js';
import { uniqueName } from './lib/names.js';
import { api, DRIVER, fsck, waitForPlugin } from './lib/plugin.js';
import { LABEL } from './lib/resources.js';
import { volumeExists, volumeStatus } from './lib/volumes.js';
import { waitFor } from './lib/wait.js';

const image = await busyboxImage();
await waitForPlugin();

/** argv prefix of the compose command this host has. */
async function composeCommand(): Promise<string[]> {
  if ((await run('docker-compose', ['version'])).code === 0) return ['docker-compose'];
  if ((await run('docker', ['compose', 'version'])).code === 0) return ['docker', 'compose'];
  throw new Error(
    'neither docker-compose nor docker compose is installed: apt-get install -y docker-compose',
  );
}
const [cmd = 'docker-compose', ...prefix] = await composeCommand();

function composeFile(dir: string): string {
  const file = join(dir, 'docker-compose.yml');
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
    driver: dvol
    driver_opts:
      driver: plain
`,
  );
  return file;
}

t.test('compose up, down, up, down -v with a dvol volume', async (t) => {
  const project = uniqueName('compose');
  const file = composeFile(t.testdir({}));
  const compose = (...args: string[]): Promise<Result> =>
    run(cmd, [...prefix, '-p', project, '-f', file, ...args], { timeout: 300_000 });
  const composeOk = (...args: string[]): Promise<string> =>
    runOk(cmd, [...prefix, '-p', project, '-f', file, ...args], { timeout: 300_000 });
  const volume = `${project}_db`;
  t.teardown(() => compose('down', '-v', '--timeout', '1'));

  await composeOk('up', '-d');
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
  const starts = async (n: number): Promise<void> => {
    await waitFor(`${n} start(s) recorded in the volume`, async () => {
      const ctr = await composeOk('ps', '-q', 'app');
      return (await docker('exec', ctr, 'cat', '/data/starts')).split('\n').length === n;
    });
  };
  await starts(1);
  t.equal((await volumeStatus(volume)).mounts, 1, 'the service mounted it');
  await fsck(t, volume);

  await composeOk('down', '--timeout', '1');
  t.ok(await volumeExists(volume), 'down keeps the volume');
  t.equal((await volumeStatus(volume)).mounts, 0, 'and unmounted it');

  await composeOk('up', '-d');
  await starts(2);
  t.pass('up again finds the data of the first run');
  await fsck(t, volume);

  await composeOk('down', '-v', '--timeout', '1');
  t.notOk(await volumeExists(volume), 'down -v removed the volume');
  t.equal((await api('GET', `/dvol/volumes/${volume}`)).status, 404, 'and the plugin deleted it');
  await fsck(t);
});
