// Branch names round-trip through registry tags, hostile ones included, and never collide.

import t from 'tap';

import { TAG_PATTERN } from '../blobstore.js';
import { branchTag, commitTag, parseTag } from './tags.js';

t.test('plain names are their own tags; others are escaped', async (t) => {
  t.equal(branchTag('master'), 'master');
  t.equal(branchTag('release-1.2'), 'release-1.2');
  t.equal(branchTag('fix_1'), 'fix__1');
  t.equal(branchTag('.hidden'), '_2ehidden');
  t.equal(branchTag('-x'), '_2dx');
  t.equal(branchTag('a/b'), 'a_2fb');
  t.equal(branchTag('é'), '_c3_a9');
  t.equal(
    commitTag('0123456789abcdef0123456789abcdef01234567'),
    '_c.0123456789abcdef0123456789abcdef01234567',
  );
});

t.test('every name round-trips and every tag is valid', async (t) => {
  const names = [
    'master',
    '_',
    '__',
    '_c.0123456789abcdef0123456789abcdef01234567',
    'c.0123',
    '__proto__',
    'constructor',
    'HEAD',
    'a b\tc\nd',
    '..',
    '.',
    '-',
    'ünïcødé/日本語',
    '\u0000nul',
    'x'.repeat(128),
    '_'.repeat(64),
    'a'.repeat(63) + '.',
    '😀',
  ];
  for (const name of names) {
    const tag = branchTag(name);
    t.match(tag, TAG_PATTERN, `${JSON.stringify(name)} → ${tag} is a valid tag`);
    t.same(parseTag(tag), { kind: 'branch', name }, `${JSON.stringify(name)} round-trips`);
  }
  const tags = names.map(branchTag);
  t.equal(new Set(tags).size, tags.length, 'distinct names give distinct tags');
  const id = 'f'.repeat(40);
  t.same(parseTag(commitTag(id)), { kind: 'commit', id }, 'commit tags parse as commits');
  t.notOk(tags.includes(commitTag(id)), 'no branch takes a commit tag');
});

t.test('random byte strings round-trip', async (t) => {
  let checked = 0;
  for (let i = 0; i < 2000; i++) {
    const len = 1 + Math.floor(Math.random() * 14); // ≤ 14 × 9 encoded characters
    const name = String.fromCodePoint(
      ...Array.from({ length: len }, () => Math.floor(Math.random() * 0x2fff)),
    );
    const tag = branchTag(name);
    if (parseTag(tag)?.kind !== 'branch' || (parseTag(tag) as { name: string }).name !== name) {
      t.fail(`${JSON.stringify(name)} does not round-trip (${tag})`);
    }
    checked++;
  }
  t.equal(checked, 2000, 'all checked');
});

t.test('non-canonical, foreign and invalid tags name nothing', async (t) => {
  for (const tag of [
    'fix_5f1',
    '_61',
    '_C3_A9',
    '_c3',
    '_zz',
    '_',
    'a_',
    '_c.123',
    '_c.' + 'F'.repeat(40),
    '.x',
    '-x',
    '',
    'x'.repeat(129),
    '_ff',
  ]) {
    t.equal(parseTag(tag), undefined, `${JSON.stringify(tag)} is not a dvol ref`);
  }
  t.throws(() => branchTag(''), { code: 'invalid' }, 'an empty name');
  t.throws(() => branchTag('/'.repeat(43)), { code: 'invalid' }, 'a name too long once encoded');
  t.throws(() => commitTag('HEAD'), { code: 'invalid' }, 'a bad commit id');
});
