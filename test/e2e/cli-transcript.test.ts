// The seed 000 transcript through the CLI, as a non-root docker-group user, against the installed
// plugin: init, compose up with `driver: dvol`, write, commit, log, checkout -b refused when dirty,
// reset --hard HEAD, checkout -b, change, log, checkout master. Adapted only where Docker forbids the
// original: volume names cannot contain '/', so HybridCP/mysql becomes HybridCP_mysql-<unique>; and
// reset/checkout no longer need `docker-compose rm -f` first: dvol stops and restarts the container.
// The compose file keeps the seed's v1 format with `volume_driver: dvol` (Debian's docker-compose 1.29).
import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { docker, run, runOk } from './lib/exec.js';
import { busyboxImage } from './lib/images.js';
import { uniqueName } from './lib/names.js';
import { waitForPlugin } from './lib/plugin.js';
import { LABEL } from './lib/resources.js';
import { waitFor } from './lib/wait.js';
import {
  containerFile,
  dockerGroupUser,
  dvol,
  dvolOk,
  fsckClean,
  setAuthor,
  startedAt,
} from './fixtures/dvol.js';

const image = await busyboxImage();
// compose's own 60 s HTTP timeout is short on a loaded machine: a volume Create may wait for the plugin.
const COMPOSE_ENV = { ...process.env, COMPOSE_HTTP_TIMEOUT: '300' };
await waitForPlugin();

const LOG_ENTRY =
  /commit ([0-9a-f]{40})\nAuthor: Luke Marsden <luke@clusterhq\.com>\nDate: {3}\w{3} \w{3} \d{1,2} \d\d:\d\d:\d\d \d{4} \+0000\n\n {4}(.+)\n/g;

/** The (id, message) pairs of `dvol log` output, asserting its git-style shape. */
function parseLog(t: Test, out: string): { id: string; message: string }[] {
  const entries = [...out.matchAll(LOG_ENTRY)].map((m) => ({ id: m[1] ?? '', message: m[2] ?? '' }));
  t.equal(entries.map((e) => e.id).length, out.match(/^commit /gm)?.length ?? 0, 'every entry is git-style');
  return entries;
}

t.test('seed 000: the HybridCP mysql transcript', async (t) => {
  await dockerGroupUser(t);
  const volume = uniqueName('HybridCP_mysql');
  const project = uniqueName('hybridcp');
  const dir = t.testdir({});
  const file = join(dir, 'docker-compose.yml');
  writeFileSync(
    file,
    // The seed's own compose file format (v1: services at the top, `volume_driver`), so the
    // volume dvol init made is used as is; a v2 `driver: dvol` volume would be compose's to create.
    `mysql:
  image: ${image}
  command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
  volumes:
    - ${volume}:/var/lib/mysql
  volume_driver: dvol
  labels: ["${LABEL}"]
`,
  );
  const compose = (...args: string[]) =>
    runOk('docker-compose', ['-p', project, '-f', file, ...args], { timeout: 300_000, env: COMPOSE_ENV });
  t.teardown(async () => {
    await run('docker-compose', ['-p', project, '-f', file, 'rm', '-s', '-f'], { env: COMPOSE_ENV });
    await dvol('rm', '-f', volume);
  });

  t.equal(await dvolOk(t, 'init', volume), `Created empty volume ${volume}.\n`);
  await fsckClean(t, 'after init');
  await compose('up', '-d');
  const ctr = await compose('ps', '-q', 'mysql');
  const name = (await docker('inspect', '-f', '{{.Name}}', ctr)).replace(/^\//, '');

  const list = await dvolOk(t, 'list');
  const row = list.split('\n').find((l) => l.includes(volume));
  t.match(list, /^ {2}VOLUME +SIZE +BRANCHES +ACTIVE BRANCH +CONTAINERS\n/, 'docker-style header');
  t.match(
    row,
    new RegExp(`^\\* ${volume} +\\d+(\\.\\d+)?[kMG]?B +1 +master +${name}$`),
    'active, used by the container',
  );

  await docker('exec', ctr, 'sh', '-c', 'echo "create table users" > /var/lib/mysql/schema.sql');
  const noAuthor = await dvol('commit', '-m', 'import base schema', volume);
  t.equal(noAuthor.code, 2, 'commit without an author is refused');
  t.match(noAuthor.stderr, /^dvol: cannot commit without an author: .*\nhint: dvol config user\.name/);
  await setAuthor(t);
  t.match(
    await dvolOk(t, 'commit', '-m', 'import base schema', volume),
    new RegExp(`^\\[${volume} [0-9a-f]{7}\\] import base schema\\n$`),
  );
  await fsckClean(t, 'after commit');

  const log1 = parseLog(t, await dvolOk(t, 'log'));
  t.same(
    log1.map((e) => e.message),
    ['import base schema'],
  );

  await docker('exec', ctr, 'sh', '-c', 'echo "alter table users" >> /var/lib/mysql/schema.sql');
  const before = await startedAt(ctr);
  const refused = await dvol('checkout', '-b', 'schema-tweaks');
  t.equal(refused.code, 4, 'checkout -b is refused with uncommitted changes');
  t.equal(
    refused.stderr.split('\n')[0],
    `dvol: Volume ${volume} has uncommitted changes. Please commit these before switching branches.`,
  );
  t.equal(refused.stdout, '');
  await waitFor(
    'the container to run again',
    async () => (await docker('inspect', '-f', '{{.State.Running}}', ctr)) === 'true',
  );
  t.equal(
    await containerFile(ctr, '/var/lib/mysql/schema.sql'),
    'create table users\nalter table users\n',
    'refusal loses nothing',
  );
  await fsckClean(t, 'after the refused checkout');

  const reset = await dvolOk(t, 'reset', '--hard', 'HEAD', volume);
  t.equal(reset, `Resetting ${volume} to latest commit... done.\nRestarted container ${name}.\n`);
  t.not(await startedAt(ctr), before, 'the container was restarted');
  t.equal(
    await containerFile(ctr, '/var/lib/mysql/schema.sql'),
    'create table users\n',
    'the container sees HEAD',
  );
  await fsckClean(t, 'after reset --hard HEAD');

  const co = await dvolOk(t, 'checkout', '-b', 'schema-tweaks');
  t.equal(
    co,
    `Switched to branch schema-tweaks based from ${volume} master@HEAD.\nRestarted container ${name}.\n`,
  );
  t.equal(await dvolOk(t, 'branch'), '  master\n* schema-tweaks\n');
  await fsckClean(t, 'after checkout -b');

  await docker(
    'exec',
    ctr,
    'sh',
    '-c',
    'echo "alter table users add index blah" >> /var/lib/mysql/schema.sql',
  );
  await dvolOk(t, 'commit', '-m', 'experiment with adding indexes to users table');
  const log2 = parseLog(t, await dvolOk(t, 'log'));
  t.same(
    log2.map((e) => e.message),
    ['experiment with adding indexes to users table', 'import base schema'],
  );
  t.equal(log2[1]?.id, log1[0]?.id, 'the branch inherits the master commit');
  await fsckClean(t, 'after the second commit');

  t.equal(
    await dvolOk(t, 'checkout', 'master', volume),
    `Switched to branch master of ${volume}.\nRestarted container ${name}.\n`,
  );
  const log3 = parseLog(t, await dvolOk(t, 'log'));
  t.same(log3, log1, 'master still has only the base schema');
  t.equal(
    await containerFile(ctr, '/var/lib/mysql/schema.sql'),
    'create table users\n',
    'the app runs on master data',
  );
  await fsckClean(t, 'after checkout master');

  const json = JSON.parse(await dvolOk(t, 'list', '--json')) as {
    active: string;
    volumes: { name: string; containers: string[] }[];
  };
  t.equal(json.active, volume);
  t.same(json.volumes.find((v) => v.name === volume)?.containers, [name]);
});

t.test('a compose v2 volume with driver: dvol is a dvol volume the CLI works on', async (t) => {
  await dockerGroupUser(t);
  await setAuthor(t);
  const project = uniqueName('composev2');
  const volume = `${project}_db`;
  const dir = t.testdir({});
  const file = join(dir, 'docker-compose.yml');
  writeFileSync(
    file,
    `version: "2.4"
services:
  db:
    image: ${image}
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
    volumes: ["db:/data"]
    labels: ["${LABEL}"]
volumes:
  db:
    driver: dvol
`,
  );
  const compose = (...args: string[]) =>
    runOk('docker-compose', ['-p', project, '-f', file, ...args], { timeout: 300_000, env: COMPOSE_ENV });
  t.teardown(async () => {
    await run('docker-compose', ['-p', project, '-f', file, 'down', '-v', '--timeout', '1'], {
      env: COMPOSE_ENV,
    });
  });
  await compose('up', '-d');
  const ctr = await compose('ps', '-q', 'db');
  const name = (await docker('inspect', '-f', '{{.Name}}', ctr)).replace(/^\//, '');
  t.equal(await dvolOk(t, 'switch', volume), `Switched to volume ${volume}.\n`);
  await docker('exec', ctr, 'sh', '-c', 'echo v1 > /data/f');
  await dvolOk(t, 'commit', '-m', 'v1');
  await docker('exec', ctr, 'sh', '-c', 'echo v2 > /data/f');
  t.equal(
    await dvolOk(t, 'reset', '--hard', 'HEAD'),
    `Resetting ${volume} to latest commit... done.\nRestarted container ${name}.\n`,
  );
  t.equal(await containerFile(ctr, '/data/f'), 'v1\n');
  await fsckClean(t, 'after reset of a compose volume');
});
