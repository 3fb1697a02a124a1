// dvol diff and dvol status end to end: a busybox container writes into a dvol volume, and the
// built CLI, run as a docker-group user against the installed plugin, reports what changed.
import t from 'tap';
import { busyboxImage } from './lib/images.js';
import { uniqueName } from './lib/names.js';
import { waitForPlugin } from './lib/plugin.js';
import { runOnce } from './lib/resources.js';
import { dockerGroupUser, dvol, dvolOk, fsckClean, setAuthor } from './fixtures/dvol.js';

const image = await busyboxImage();
await waitForPlugin();

function busybox(volume: string, script: string): Promise<string> {
  return runOnce(['-v', `${volume}:/data`, '--volume-driver=dvol', image, 'sh', '-c', script]);
}

t.test('seed 000: dvol diff after a commit, then -v, --json and status', async (t) => {
  await dockerGroupUser(t);
  await setAuthor(t);
  const volume = uniqueName('HybridCP_mysql');
  t.teardown(async () => {
    await dvol('rm', '-f', volume);
  });
  await dvolOk(t, 'init', volume);
  await busybox(volume, 'head -c 100000 /dev/zero > /data/users.ibd && echo a > /data/gone');
  await dvolOk(t, 'commit', '-m', 'import base schema', volume);
  await fsckClean(t, 'after commit');
  t.equal(
    await dvolOk(t, 'diff', volume),
    'Nothing has changed between "import base schema" and latest uncommitted changes.\n',
  );
  await busybox(volume, 'head -c 200000 /dev/zero > /data/users.ibd && rm /data/gone && mkdir /data/idx');
  t.equal(
    await dvolOk(t, 'diff', volume),
    '200kB has changed between "import base schema" and latest uncommitted changes.  Use dvol diff -v to show changed files.\n' +
      '3 paths: 1 added, 1 modified, 1 deleted.\n',
  );
  const verbose = (await dvolOk(t, 'diff', '-v', volume)).trimEnd().split('\n').sort();
  t.match(verbose, [/^A +0B {2}idx\/$/, /^D +-2B {2}gone$/, /^M +\+100kB {2}users\.ibd {2}\(content/]);
  const json = (await dvolOk(t, 'diff', '--json', volume)).trimEnd().split('\n');
  t.match(JSON.parse(json.at(-1) ?? '{}'), { totals: { added: 1, modified: 1, deleted: 1 } });
  const status = await dvolOk(t, 'status', volume);
  t.match(status, new RegExp(`^On volume ${volume}, branch master\\nHEAD [0-9a-f]{7} import base schema\\n`));
  t.match(status, /Uncommitted changes: 1 added, 1 modified, 1 deleted \(200kB changed\)\./);
  await fsckClean(t, 'after diff and status');
  const bad = await dvol('diff', 'nope', volume);
  t.equal(bad.code, 3);
  t.match(bad.stderr, /^dvol: no branch, tag or commit 'nope' in volume /);
});
