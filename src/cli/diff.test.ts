// dvol diff and dvol status against the real server app on a temporary unix socket.
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { AUTHOR } from '../storage/store.testkit.js';
import { cliAgainstServer } from './apiserver.testkit.js';

const { store, dvol } = await cliAgainstServer(t);

t.test('status and diff through a commit and some changes', async (t) => {
  t.equal((await dvol('init', 'HybridCP_mysql')).code, 0);
  const vol = store.volume('HybridCP_mysql');
  const data = await vol.dataPath();
  t.same(await dvol('status'), {
    code: 0,
    out: 'On volume HybridCP_mysql, branch master\nNo commits yet\nnothing to commit, working data clean\n',
    err: '',
  });
  await writeFile(join(data, 'users.ibd'), 'x'.repeat(100_000));
  await writeFile(join(data, 'perm'), 'p');
  const base = await vol.commit({ message: 'import base schema', author: AUTHOR });
  t.same(await dvol('diff'), {
    code: 0,
    out: 'Nothing has changed between "import base schema" and latest uncommitted changes.\n',
    err: '',
  });
  await writeFile(join(data, 'users.ibd'), 'y'.repeat(200_000));
  await writeFile(join(data, 'new\nline'), 'n');
  await chmod(join(data, 'perm'), 0o600);

  const summary = await dvol('diff');
  t.same(summary, {
    code: 0,
    out:
      '200kB has changed between "import base schema" and latest uncommitted changes.  Use dvol diff -v to show changed files.\n' +
      '3 paths: 1 added, 2 modified, 0 deleted.\n',
    err: '',
  });
  const verbose = await dvol('diff', '-v', 'HybridCP_mysql');
  t.equal(verbose.code, 0);
  t.match(verbose.out.split('\n'), [
    'A      +1B  "new\\nline"',
    'M       0B  perm  (mode 0644 -> 0600)',
    /^M {3}\+100kB {2}users\.ibd {2}\(content/,
    '',
  ]);
  const stat = await dvol('diff', '--stat', 'HEAD');
  t.match(
    stat.out,
    /^added {10}1\nmodified {7}2\ndeleted {8}0\ntype changed {3}0\nbytes changed {2}200kB \(200001\)\n$/,
  );
  const json = (await dvol('diff', '--json')).out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as object);
  t.match(json[0], { from: { id: base.id }, to: null, branch: 'master' });
  t.match(json.at(-1), { totals: { added: 1, modified: 2 } });
  t.equal(json.length, 5, 'head, three entries, totals');

  const status = await dvol('status', 'HybridCP_mysql');
  t.equal(status.code, 0);
  t.match(status.out, /^On volume HybridCP_mysql, branch master\nHEAD [0-9a-f]{7} import base schema\n/);
  t.match(status.out, /Uncommitted changes: 1 added, 2 modified, 0 deleted \(200kB changed\)\.\n/);
  const statusJson = JSON.parse((await dvol('status', '--json')).out) as object;
  t.match(statusJson, { volume: 'HybridCP_mysql', branch: 'master', dirty: true, head: { id: base.id } });

  const second = await vol.commit({ message: 'tweak', author: AUTHOR });
  const two = await dvol('diff', base.id.slice(0, 7), second.id.slice(0, 7));
  t.match(two.out, /has changed between "import base schema" and "tweak"\./);
});

t.test('bad refs and options: one sentence and the right exit status', async (t) => {
  const bad = await dvol('diff', 'nope', 'HybridCP_mysql');
  t.equal(bad.code, 3);
  t.match(bad.err, /^dvol: no branch, tag or commit 'nope' in volume 'HybridCP_mysql'\nhint: /);
  const both = await dvol('diff', '-v', '--stat');
  t.equal(both.code, 2);
  t.match(both.err, /use only one of -v, --stat and --json/);
  t.equal((await dvol('diff', 'a', 'b', 'c', 'd')).code, 2, 'too many arguments');
  t.match((await dvol('diff', '--help')).out, /^NAME\n {4}dvol-diff /);
});
