// The CLI against the real server app (createApp) on a temporary unix socket (apiserver.testkit.ts):
// no plugin, no Docker containers.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { cliAgainstServer } from './apiserver.testkit.js';

const { store, dvol } = await cliAgainstServer(t);

/** The data a container would see on the volume's active branch. */
async function data(volume: string, file = 'file'): Promise<string> {
  return readFile(join(await store.volume(volume).dataPath(), file), 'utf8');
}
async function put(volume: string, content: string, file = 'file'): Promise<void> {
  await writeFile(join(await store.volume(volume).dataPath(), file), content);
}

t.test('the seed 000 transcript, minus containers', async (t) => {
  t.same(await dvol('init', 'HybridCP_mysql'), {
    code: 0,
    out: 'Created empty volume HybridCP_mysql.\n',
    err: '',
  });
  const list = await dvol('list');
  t.equal(list.code, 0);
  const [header, row] = list.out.split('\n');
  t.match(header, /^ {2}VOLUME {10}SIZE +BRANCHES {2}ACTIVE BRANCH {2}CONTAINERS$/);
  t.match(row, /^\* HybridCP_mysql {2}\d+(\.\d+)?k?B +1 +master$/, 'the active volume is marked');
  t.equal(row?.indexOf(' 1 '), (header?.indexOf('BRANCHES') ?? 0) - 1, 'columns are aligned');

  await put('HybridCP_mysql', 'base schema');
  const noAuthor = await dvol('commit', '-m', 'import base schema', 'HybridCP_mysql');
  t.equal(noAuthor.code, 2, 'no author: refused');
  t.match(
    noAuthor.err,
    /^dvol: cannot commit without an author: user.name and user.email not set\nhint: dvol config/,
  );
  t.equal((await dvol('config', 'user.name', 'Luke Marsden')).code, 0);
  t.equal((await dvol('config', 'user.email', 'luke@clusterhq.com')).code, 0);
  t.same(await dvol('config', 'user.name'), { code: 0, out: 'Luke Marsden\n', err: '' });

  const commit = await dvol('commit', '-m', 'import base schema', 'HybridCP_mysql');
  t.equal(commit.code, 0);
  t.match(commit.out, /^\[HybridCP_mysql [0-9a-f]{7}\] import base schema\n$/);
  const log = await dvol('log');
  t.match(
    log.out,
    /^commit [0-9a-f]{40}\nAuthor: Luke Marsden <luke@clusterhq.com>\nDate: {3}\w{3} \w{3} \d{1,2} \d\d:\d\d:\d\d \d{4} \+0000\n\n {4}import base schema\n$/,
  );
  const first = /commit ([0-9a-f]{40})/.exec(log.out)?.[1] ?? '';

  await put('HybridCP_mysql', 'uncommitted');
  const dirty = await dvol('checkout', '-b', 'schema-tweaks');
  t.equal(dirty.code, 4, 'checkout -b refused while dirty');
  t.match(dirty.err, /^dvol: .*uncommitted changes.*\n(hint: .*\n)?$/);

  t.same(await dvol('reset', '--hard', 'HEAD', 'HybridCP_mysql'), {
    code: 0,
    out: 'Resetting HybridCP_mysql to latest commit... done.\n',
    err: '',
  });
  t.equal(await data('HybridCP_mysql'), 'base schema', 'the data is back to the commit');

  t.same(await dvol('checkout', '-b', 'schema-tweaks'), {
    code: 0,
    out: 'Switched to branch schema-tweaks based from HybridCP_mysql master@HEAD.\n',
    err: '',
  });
  await put('HybridCP_mysql', 'with indexes');
  t.equal((await dvol('commit', '-m', 'experiment with adding indexes to users table')).code, 0);
  const log2 = await dvol('log', '--json');
  t.same(
    (JSON.parse(log2.out) as { commits: { message: string }[] }).commits.map((c) => c.message),
    ['experiment with adding indexes to users table', 'import base schema'],
  );
  t.same(await dvol('branch'), { code: 0, out: '  master\n* schema-tweaks\n', err: '' });

  t.same(await dvol('checkout', 'master', 'HybridCP_mysql'), {
    code: 0,
    out: 'Switched to branch master of HybridCP_mysql.\n',
    err: '',
  });
  t.equal(await data('HybridCP_mysql'), 'base schema');
  const log3 = await dvol('log', 'HybridCP_mysql');
  t.equal(log3.out.match(/^commit /gm)?.length, 1, 'master has only the base commit');
  t.ok(log3.out.startsWith(`commit ${first}\n`));
  t.same(await dvol('fsck'), { code: 0, out: 'No problems found.\n', err: '' });
});

t.test('tags, reset to a ref, branch -d', async (t) => {
  t.match((await dvol('tag', 'base')).out, /^Tagged commit [0-9a-f]{7} of HybridCP_mysql as base\.\n$/);
  t.match((await dvol('tag')).out, /^base {2}[0-9a-f]{7}\n$/);
  const notMerged = await dvol('branch', '-d', 'schema-tweaks');
  t.equal(notMerged.code, 4, 'deleting a branch with unique commits needs --force');
  t.match(notMerged.err, /^dvol: .+\n/);
  t.match(await dvol('branch', '-D', 'schema-tweaks'), {
    code: 0,
    out: 'Deleted branch schema-tweaks of HybridCP_mysql (1 commit deleted).\n',
  });
  await put('HybridCP_mysql', 'second');
  t.equal((await dvol('commit', '-m', 'second')).code, 0);
  const reset = await dvol('reset', '--hard', 'base');
  t.equal(reset.code, 0);
  t.match(
    reset.out,
    /^Resetting HybridCP_mysql to commit [0-9a-f]{7}\.\.\. done\.\nDeleted 1 commit no longer on any branch or tag: [0-9a-f]{7}\.\n$/,
  );
  t.equal(await data('HybridCP_mysql'), 'base schema');
  t.same(await dvol('tag', '-d', 'base'), { code: 0, out: 'Deleted tag base of HybridCP_mysql.\n', err: '' });
  t.same(await dvol('fsck', 'HybridCP_mysql'), { code: 0, out: 'No problems found.\n', err: '' });
});

t.test('commit -d deletes the data of a commit and keeps it in the log', async (t) => {
  await put('HybridCP_mysql', 'third');
  t.equal((await dvol('commit', '-m', 'third')).code, 0);
  await put('HybridCP_mysql', 'fourth');
  t.equal((await dvol('commit', '-m', 'fourth')).code, 0);
  t.match(await dvol('commit', '-d', 'HEAD^'), {
    code: 0,
    out: /^Deleted the data of commit [0-9a-f]{7} of HybridCP_mysql\.\n$/,
  });
  t.match((await dvol('log')).out, /Data: {3}deleted to reclaim space\n\n {4}third\n/);
  const tip = await dvol('commit', '-d', 'HEAD');
  t.equal(tip.code, 4, 'the tip of a branch keeps its data');
  t.match(tip.err, /^dvol: [^\n]+\n(hint: [^\n]+\n)?$/);
  const gone = await dvol('reset', '--hard', 'HEAD^');
  t.not(gone.code, 0, 'a commit without data cannot be reset to');
  t.match(gone.err, /^dvol: [^\n]+\n(hint: [^\n]+\n)?$/);
  t.equal((await dvol('commit', '-d', 'HEAD^', '-m', 'x')).code, 2, '-d and -m together are a usage error');
  t.equal(await data('HybridCP_mysql'), 'fourth');
  t.same(await dvol('fsck', 'HybridCP_mysql'), { code: 0, out: 'No problems found.\n', err: '' });
});

t.test('core errors reach the CLI as one sentence and the right exit status', async (t) => {
  const cases: [string[], number][] = [
    [['log', 'no_such_volume'], 3],
    [['switch', 'no_such_volume'], 3],
    [['checkout', 'no-such-branch'], 3],
    [['reset', '--hard', 'HEAD~5'], 3],
    [['reset', 'HEAD'], 4], // without --hard: refused, says what would be lost
    [['init', 'HybridCP_mysql'], 4],
    [['init', 'bad/name'], 2],
    [['checkout', '-b', 'master'], 4],
    [['branch', '-d', 'master'], 4],
    [['tag', '-d', 'no-such-tag'], 3],
    [['init', 'x1', '--driver=zfs'], 2],
  ];
  for (const [argv, status] of cases) {
    const r = await dvol(...argv);
    t.equal(r.code, status, `dvol ${argv.join(' ')}: exit ${status}`);
    t.match(r.err, /^dvol: [^\n]+\n(hint: [^\n]+\n)?$/, `one sentence: ${r.err.trim()}`);
    t.equal(r.out, '');
  }
  t.same(await dvol('fsck'), { code: 0, out: 'No problems found.\n', err: '' });
});

t.test('switch, version, rm -f, and no active volume', async (t) => {
  t.equal((await dvol('init', 'second_vol')).code, 0);
  t.match((await dvol('list')).out, /\n {2}HybridCP_mysql .*\n\* second_vol /);
  t.same(await dvol('switch', 'HybridCP_mysql'), {
    code: 0,
    out: 'Switched to volume HybridCP_mysql.\n',
    err: '',
  });
  t.match(
    (await dvol('version')).out,
    /^dvol CLI \d+\.\d+\.\d+ \(API 1\.0\)\ndvol plugin \d+\.\d+\.\d+ \(API 1\.0, default driver: plain\)\n$/,
  );
  t.same(await dvol('rm', '-f', 'HybridCP_mysql'), {
    code: 0,
    out: 'Destroyed volume HybridCP_mysql.\n',
    err: '',
  });
  const none = await dvol('log');
  t.equal(none.code, 3, 'the active volume was removed');
  t.match(none.err, /^dvol: (no active volume|.*HybridCP_mysql.*)\n/);
  t.same(await dvol('rm', '-f', 'second_vol'), { code: 0, out: 'Destroyed volume second_vol.\n', err: '' });
  t.same(await dvol('list', '--json'), {
    code: 0,
    out: JSON.stringify({ volumes: [], active: null }, null, 2) + '\n',
    err: '',
  });
});
