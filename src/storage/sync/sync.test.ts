// Two state directories standing for two machines, a directory remote between them: remote add/rm,
// push (new, up to date, ahead, refused, forced), clone with the same ids and bytes, fetch, pull
// (fast-forward, ahead, diverged, --stash), deleted data, hostile names.

import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';

import { describeTree } from '../drivers/conformance/describe.testkit.js';
import type { Store, Volume } from '../model.js';
import { pushCommit } from '../remotes/format/commit.js';
import { pushTree } from '../remotes/format/push.js';
import { openRemote } from '../remotes/open.js';
import { AUTHOR, assertClean, commitFile, openTestStore } from '../store.testkit.js';

interface Machine {
  store: Store;
  vol: Volume;
}

async function machines(t: Test): Promise<{ a: Machine; b: Store; remote: string; dir: string }> {
  const dir = t.testdir();
  const storeA = await openTestStore(t, { root: join(dir, 'a') });
  await storeA.createVolume('db');
  const b = await openTestStore(t, { root: join(dir, 'b') });
  return { a: { store: storeA, vol: storeA.volume('db') }, b, remote: join(dir, 'remote'), dir };
}

async function remoteStore(url: string, create = true) {
  return (await openRemote(url, { credentials: null, create })).store;
}

/** What a clone does, through the storage API: create, add origin, fetch, start from it. */
async function clone(b: Store, name: string, url: string, branch = 'master'): Promise<Volume> {
  await b.createVolume(name);
  const vol = b.volume(name);
  await vol.addRemote('origin', url);
  await vol.fetch(await remoteStore(url, false), 'origin', { branch });
  await vol.startFrom('origin', branch);
  return vol;
}

const ids = async (vol: Volume, ref?: string) => (await vol.log(ref)).map((c) => c.id);

t.test('remote add, rm and list, with hostile names refused or kept as data', async (t) => {
  const { a, remote } = await machines(t);
  t.same(await a.vol.remotes(), []);
  await a.vol.addRemote('origin', remote);
  await a.vol.addRemote('constructor', 'ghcr.io/team/db');
  await t.rejects(a.vol.addRemote('origin', remote), { code: 'exists' });
  await t.rejects(a.vol.addRemote('a/b', remote), { code: 'invalid' });
  await t.rejects(a.vol.addRemote('x', 'bare'), { code: 'invalid' });
  await t.rejects(a.vol.addRemote('y', './rel'), { code: 'invalid' });
  t.same(
    (await a.vol.remotes()).map((r) => [r.name, r.location]),
    [
      ['origin', remote],
      ['constructor', 'ghcr.io/team/db'],
    ],
  );
  await t.rejects(a.vol.removeRemote('toString'), { code: 'not_found' });
  await t.rejects(a.vol.removeRemote('__proto__'), { code: 'not_found' });
  await a.vol.removeRemote('constructor');
  t.same(
    (await a.vol.remotes()).map((r) => r.name),
    ['origin'],
  );
  await assertClean(t, a.store);
});

t.test('push, clone on another machine: same ids, same bytes; then push and pull again', async (t) => {
  const { a, b, remote } = await machines(t);
  await a.vol.addRemote('origin', remote);
  const data = await a.vol.dataPath();
  mkdirSync(join(data, 'pg'));
  writeFileSync(join(data, 'pg', 'page'), randomBytes(40_000));
  const c1 = await commitFile(a.vol, 'f', 'one');
  const c2 = await commitFile(a.vol, 'f', 'two');
  const store = await remoteStore(remote);
  const first = await a.vol.push(store, { remote: 'origin', branch: 'master' });
  t.same(first.pushed, [c1, c2], 'both commits, oldest first');
  t.equal(first.from, null);
  t.ok(first.stats.bytesSent > 40_000, `bytes sent (${first.stats.bytesSent})`);
  const again = await a.vol.push(store, { remote: 'origin', branch: 'master' });
  t.same(again.pushed, [], 'a second push sends nothing');
  t.equal(again.stats.bytesSent, 0);
  t.same((await a.vol.remotes())[0]?.branches, [{ name: 'master', commit: c2 }], 'origin/master tracked');

  const vol = await clone(b, 'copy', remote);
  t.same(await ids(vol), [c2, c1], 'the clone has the same commit ids');
  t.same(await describeTree(await vol.dataPath()), await describeTree(await a.vol.dataPath()), 'same bytes');
  t.same((await vol.resolve('origin/master')).id, c2, 'origin/master resolves');
  t.equal((await vol.status()).dirty, false, 'the clone is clean');
  await assertClean(t, b, 'after clone');

  // a commits and pushes; b pulls (fast-forward).
  const c3 = await commitFile(a.vol, 'f', 'three');
  t.same((await a.vol.push(store, { remote: 'origin', branch: 'master' })).pushed, [c3]);
  const fetched = await vol.fetch(store, 'origin');
  t.same(fetched.branches, [{ branch: 'master', from: c2, to: c3, imported: [c3] }]);
  t.equal((await vol.info()).head, c2, 'fetch does not move the local branch');
  t.match(await vol.fastForward('origin', 'master'), { outcome: 'fast-forward', from: c2, to: c3 });
  t.equal(readFileSync(join(await vol.dataPath(), 'f'), 'utf8'), 'three');
  t.match(await vol.fastForward('origin', 'master'), { outcome: 'up-to-date' });

  // b commits and pushes; a is now behind: its push is refused, naming the commit it lacks.
  const c4 = await commitFile(vol, 'f', 'four');
  t.same((await vol.push(store, { remote: 'origin', branch: 'master' })).pushed, [c4]);
  const c5 = await commitFile(a.vol, 'f', 'five');
  await t.rejects(a.vol.push(store, { remote: 'origin', branch: 'master' }), {
    code: 'conflict',
    message: new RegExp(`has 1 commit this volume lacks \\(${c4.slice(0, 7)}\\)`),
    hint: /dvol push --force/,
  });
  // pull on a refuses the divergence, then keeps its tip as a branch with --stash.
  await a.vol.fetch(store, 'origin');
  await t.rejects(a.vol.fastForward('origin', 'master'), {
    code: 'conflict',
    message: /have diverged \(1 and 1/,
  });
  const stashed = await a.vol.fastForward('origin', 'master', {
    stash: true,
    now: new Date('2026-12-02T04:00:00Z'),
  } as never);
  t.match(stashed, { outcome: 'stashed', from: c5, to: c4, stash: 'master-diverged-20261202T040000Z' });
  t.same(await ids(a.vol, 'master-diverged-20261202T040000Z'), [c5, c3, c2, c1]);
  // --force from b's side: its own history wins again.
  await vol.reset(c3, { hard: true });
  const c6 = await commitFile(vol, 'f', 'six');
  const forced = await vol.push(store, { remote: 'origin', branch: 'master', force: true });
  t.same(forced.pushed, [c6]);
  t.equal(forced.forced, true);
  await assertClean(t, a.store);
  await assertClean(t, b);
});

t.test('deleted data is pushed as deleted and cloned as such; branches other than master', async (t) => {
  const { a, b, remote } = await machines(t);
  await a.vol.addRemote('origin', remote);
  const c1 = await commitFile(a.vol, 'f', 'one');
  const c2 = await commitFile(a.vol, 'f', 'two');
  await a.vol.createBranch('dev');
  const c3 = await commitFile(a.vol, 'g', 'dev');
  await a.vol.deleteCommitData(c1);
  const store = await remoteStore(remote);
  await a.vol.push(store, { remote: 'origin', branch: 'master' });
  await a.vol.push(store, { remote: 'origin', branch: 'dev' });
  const vol = await clone(b, 'dev-copy', remote, 'dev');
  t.match(await vol.info(), { activeBranch: 'dev', head: c3, branchCount: 1 });
  const log = await vol.log();
  t.same(
    log.map((c) => [c.id, c.dataDeleted === true]),
    [
      [c3, false],
      [c2, false],
      [c1, true],
    ],
  );
  await assertClean(t, b);
  void AUTHOR;
});

t.test('a clone of a branch the remote lacks says so', async (t) => {
  const { b, remote } = await machines(t);
  await t.rejects(remoteStore(remote, false), { code: 'not_found', message: /does not exist/ });
  await remoteStore(remote); // made empty
  await b.createVolume('x');
  const vol = b.volume('x');
  await vol.addRemote('origin', remote);
  const r = await vol.fetch(await remoteStore(remote, false), 'origin', { branch: 'master' });
  t.same(r.branches, []);
  await t.rejects(vol.startFrom('origin', 'master'), {
    code: 'not_found',
    message: "remote 'origin' has no branch 'master'",
  });
});

t.test('an interrupted push, run again, sends at most the pack it was building', async (t) => {
  const { a, b, remote } = await machines(t);
  await a.vol.addRemote('origin', remote);
  // 40 MiB that does not compress: three packs of ~16 MiB.
  const fd = join(await a.vol.dataPath(), 'big');
  writeFileSync(fd, randomBytes(40 << 20));
  const id = await commitFile(a.vol, 'f', 'one');
  const store = await remoteStore(remote);
  const stop = new AbortController();
  let first = 0;
  const interrupted = a.vol.push(store, {
    remote: 'origin',
    branch: 'master',
    signal: stop.signal,
    onPack: (pack) => {
      first += pack.size;
      stop.abort();
    },
  });
  await t.rejects(interrupted, 'the push stops');
  t.ok(first > 15 << 20, `one pack was stored (${first} bytes)`);
  t.same((await a.vol.remotes())[0]?.branches, [], 'the tracking branch did not move');
  const resumed = await a.vol.push(store, { remote: 'origin', branch: 'master' });
  t.same(resumed.pushed, [id]);
  t.ok(
    resumed.stats.bytesSent <= (40 << 20) - first + (1 << 20),
    `the rerun sent ${resumed.stats.bytesSent} bytes: not the stored pack again`,
  );
  const vol = await clone(b, 'copy', remote);
  t.ok(readFileSync(join(await vol.dataPath(), 'big')).equals(readFileSync(fd)), 'the clone has every byte');
});

t.test('a damaged or hostile remote history is refused before anything is imported', async (t) => {
  const { b, remote, dir } = await machines(t);
  const store = await remoteStore(remote);
  const src = join(dir, 'tree');
  mkdirSync(src);
  writeFileSync(join(src, 'f'), 'x');
  const tree = await pushTree(src, store, { knownBlobs: join(dir, 'known.jsonl') });
  const info = (id: string, parents: string[]) => ({
    id,
    parents,
    message: 'm',
    author: 'A <a@example.com>',
    date: '2026-12-01T00:00:00Z',
  });
  const a1 = 'a'.repeat(40);
  const b2 = 'b'.repeat(40);
  // A tip whose history skips its parent.
  await pushCommit(store, { commit: info(b2, [a1]), tree, history: [], branch: 'master' });
  // A history entry that is not a commit (an id meant to escape the commits directory).
  const evil = { ...info('../../../etc/passwd', []), manifest: `sha256:${'0'.repeat(64)}` };
  await pushCommit(store, {
    commit: info(b2, ['../../../etc/passwd']),
    tree,
    history: [evil as never],
    branch: 'evil',
  });
  await b.createVolume('x');
  const vol = b.volume('x');
  await vol.addRemote('origin', remote);
  await t.rejects(vol.fetch(store, 'origin', { branch: 'master' }), {
    code: 'corrupt',
    message: /history of branch 'master' in .* is damaged: commit bbbbbbb is not followed by its parent/,
  });
  await t.rejects(vol.fetch(store, 'origin', { branch: 'evil' }), {
    code: 'corrupt',
    message: /is damaged: (an entry is not a dvol commit|commit .* is not followed by its parent)/,
  });
  t.same((await vol.log()).length, 0, 'nothing was imported');
  t.same((await vol.remotes())[0]?.branches, [], 'no tracking branch moved');
  await assertClean(t, b);
});
