// Ref resolution over in-memory commits: ids here are chosen so that prefixes collide, which random
// ids of a real store almost never do.
import t from 'tap';
import type { VolumeRecord } from './meta.js';
import type { Commit } from './model.js';
import { resolveRef, splitRef, type RefContext } from './refs.js';

const id = (prefix: string) => prefix.padEnd(40, '0');
const commits = new Map<string, Commit>(
  [
    { id: id('abcd1'), parent: null },
    { id: id('abcd2'), parent: id('abcd1') },
    { id: id('beef'), parent: id('abcd2') },
  ].map((c) => [c.id, { ...c, message: 'm', author: 'A <a@b.c>', date: '2026-01-01T00:00:00.000Z' }]),
);
const record: VolumeRecord = {
  name: 'v',
  driver: 'plain',
  options: {},
  createdAt: '2026-01-01T00:00:00.000Z',
  activeBranch: 'main',
  branches: { main: id('beef'), empty: null, beef: id('abcd1') },
  tags: { t1: { commit: id('abcd2'), date: '2026-01-01T00:00:00.000Z' } },
};
const ctx: RefContext = {
  volume: 'v',
  record,
  commitIds: async () => [...commits.keys()],
  readCommit: async (x) => commits.get(x)!,
};
const resolve = async (ref: string) => (await resolveRef(ctx, ref)).id;

t.test('prefixes: unique, ambiguous, too short, case-insensitive', async (t) => {
  t.equal(await resolve('abcd1'), id('abcd1'));
  t.equal(await resolve('ABCD2'), id('abcd2'));
  await t.rejects(resolveRef(ctx, 'abcd'), {
    code: 'invalid',
    message: `commit id prefix 'abcd' is ambiguous: it matches ${id('abcd1')}, ${id('abcd2')}`,
  });
  await t.rejects(resolveRef(ctx, 'abc'), { code: 'invalid', message: /too short/ });
});

t.test('a branch wins over an id prefix; steps chain', async (t) => {
  t.equal(await resolve('beef'), id('abcd1'), "branch 'beef' wins over commit beef...");
  t.equal(await resolve('HEAD~1^'), id('abcd1'));
  t.equal(await resolve('t1^'), id('abcd1'));
  await t.rejects(resolveRef(ctx, 'empty'), {
    code: 'not_found',
    message: /branch 'empty' .* has no commits yet/,
  });
});

t.test('a long ref of steps is parsed in linear time, and an over-long one refused', async (t) => {
  // The old /^(.+?)((?:\^|~\d*)*)$/ backtracked quadratically on this: 19 s for 100 kB.
  const hostile = `a${'~'.repeat(100_000)}!`;
  let started = performance.now();
  await t.rejects(resolveRef(ctx, hostile), {
    code: 'invalid',
    message: `invalid ref 'a${'~'.repeat(63)}…' (100002 characters): it is longer than 256 characters`,
  });
  t.ok(performance.now() - started < 1000, 'refused within a second');
  started = performance.now();
  t.same(splitRef(`a${'~'.repeat(100_000)}!`), { base: `a${'~'.repeat(100_000)}!`, steps: [] });
  t.same(splitRef('~'.repeat(100_000)).steps.length, 100_000);
  t.ok(performance.now() - started < 1000, 'split within a second even without the cap');
  const long = `HEAD${'^'.repeat(252)}`;
  await t.rejects(resolveRef(ctx, long), { code: 'not_found', message: /goes back past the first commit/ });
  await t.rejects(resolveRef(ctx, `${long}^`), { code: 'invalid', message: /longer than 256/ });
});

t.test('steps split like git: the longest run of ^ and ~N at the end', async (t) => {
  t.same(splitRef('HEAD~3^~'), { base: 'HEAD', steps: [3, 1, 1] });
  t.same(splitRef('v1.2~10'), { base: 'v1.2', steps: [10] });
  t.same(splitRef('abc123'), { base: 'abc123', steps: [] });
  t.same(splitRef('a~1b^'), { base: 'a~1b', steps: [1] });
  t.same(splitRef('^~2'), { base: '', steps: [1, 2] });
  await t.rejects(resolveRef(ctx, '~2'), { code: 'invalid', message: "invalid ref '~2'" });
  await t.rejects(resolveRef(ctx, '  '), { code: 'invalid' });
  t.equal(await resolve('main~1~1'), id('abcd1'));
});
