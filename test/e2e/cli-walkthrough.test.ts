// The seed 001 launch post through the CLI, as a non-root docker-group user against the installed
// plugin: `dvol --help`, then the busybox walkthrough (init, write hello, commit, overwrite with
// world, reset --hard HEAD, read hello back), with `dvol fsck` clean after every step.
import t from 'tap';
import { busyboxImage } from './lib/images.js';
import { uniqueName } from './lib/names.js';
import { waitForPlugin } from './lib/plugin.js';
import { runOnce } from './lib/resources.js';
import { dockerGroupUser, dvol, dvolOk, fsckClean, setAuthor } from './fixtures/dvol.js';

const image = await busyboxImage();
await waitForPlugin();

/** `docker run --rm -v VOLUME:/data --volume-driver=dvol busybox sh -c SCRIPT`, as in the post. */
function busybox(volume: string, script: string): Promise<string> {
  return runOnce(['-v', `${volume}:/data`, '--volume-driver=dvol', image, 'sh', '-c', script]);
}

t.test('seed 001: dvol --help lists the commands of the launch post', async (t) => {
  await dockerGroupUser(t);
  const help = await dvolOk(t, '--help');
  t.match(help, /^Usage: dvol /);
  const verbs: [string, string][] = [
    ['list', 'List all dvol volumes'],
    ['ls', "Same as 'list'"],
    ['init', 'Create a volume and its default master branch, then switch to it'],
    ['switch', 'Switch active volume for commands below \\(commit, log etc\\)'],
    ['rm', 'Destroy a dvol volume'],
    ['commit', 'Create a commit on the active volume and branch'],
    ['log', 'List commits on the active volume and branch'],
    ['reset', 'Reset active branch to a commit, destroying later unreferenced commits'],
    ['branch', 'List or delete branches for active volume'],
    ['checkout', 'Check out or create branches on the active volume'],
  ];
  for (const [verb, summary] of verbs) {
    t.match(help, new RegExp(`\\n {4}${verb} +${summary}\\n`), verb);
  }
  const version = await dvolOk(t, 'version');
  t.match(
    version,
    /^dvol CLI (\S+) \(API (\d+\.\d+)\)\ndvol plugin \1 \(API \2, default driver: \w+\)\n$/,
    'CLI and plugin versions match',
  );
});

t.test('seed 001: the busybox walkthrough', async (t) => {
  await dockerGroupUser(t);
  await setAuthor(t);
  const volume = uniqueName('frob_mysql');
  t.teardown(async () => {
    await dvol('rm', '-f', volume);
  });

  t.equal(await dvolOk(t, 'init', volume), `Created empty volume ${volume}.\n`);
  await fsckClean(t, 'after init');
  await busybox(volume, 'echo hello > /data/file');
  await fsckClean(t, 'after writing hello');
  t.match(
    await dvolOk(t, 'commit', '-m', "added 'hello' to the volume", volume),
    new RegExp(`^\\[${volume} [0-9a-f]{7}\\] added 'hello' to the volume\\n$`),
  );
  await fsckClean(t, 'after commit');
  await busybox(volume, 'echo world > /data/file');
  t.equal(await busybox(volume, 'cat /data/file'), 'world');
  t.equal(
    await dvolOk(t, 'reset', '--hard', 'HEAD', volume),
    `Resetting ${volume} to latest commit... done.\n`,
  );
  await fsckClean(t, 'after reset');
  t.equal(await busybox(volume, 'cat /data/file'), 'hello', 'reset brought hello back');

  const log = await dvolOk(t, 'log', volume);
  t.match(
    log,
    /^commit [0-9a-f]{40}\nAuthor: Luke Marsden <luke@clusterhq.com>\nDate: {3}.+\n\n {4}added 'hello' to the volume\n$/,
  );
  const rm = await dvol('rm', volume);
  t.equal(rm.code, 2, 'rm without -f and without a terminal is refused');
  t.equal(
    rm.stderr,
    `dvol: refusing to destroy volume '${volume}' without confirmation\nhint: dvol rm -f ${volume}\n`,
  );
  t.equal(await dvolOk(t, 'rm', '-f', volume), `Destroyed volume ${volume}.\n`);
  await fsckClean(t, 'after rm');
  const gone = await dvol('log', volume);
  t.equal(gone.code, 3);
  t.match(gone.stderr, new RegExp(`^dvol: volume '${volume}' does not exist\\n`));
});
