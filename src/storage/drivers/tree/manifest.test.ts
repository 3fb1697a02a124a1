// Manifests: saved and loaded exactly (raw names included), older formats ignored as a cache should
// be, and built with racy entries untrusted and the commit's extra paths merged in walk order.

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';

import { ManifestBuilder, joinEntries, loadManifest, saveManifest, type Manifest } from './manifest.js';
import { ManifestPatch } from './manifest-patch.js';

const fp = (ino: number, ctime: bigint) => `${ino}:${ctime}:0:33188:0:0`;

t.test('a manifest round-trips, names with any byte included', async (t) => {
  const file = path.join(t.testdir(), 'm.json');
  const odd = Buffer.from([0x6e, 0xff, 0x0a, 0x5c]).toString('latin1');
  const manifest: Manifest = {
    commit: 'c1',
    entries: joinEntries(['', 'a b', 'd', `d/${odd}`, 'd/x'], [fp(1, 5n), '', fp(3, 6n), fp(4, 7n), '']),
  };
  await saveManifest(file, manifest);
  t.same(await loadManifest(file), { ...manifest, root: undefined }, 'paths and fingerprints');
  const empty: Manifest = { commit: null, entries: '', root: { mode: 0o40755, uid: 0, gid: 0 } };
  await saveManifest(file, empty);
  t.same(await loadManifest(file), empty, 'an empty one, with its root');
});

t.test('a version 1 manifest (dvol 0.1.0) is read in walk order', async (t) => {
  const file = path.join(t.testdir(), 'm.json');
  const odd = Buffer.from([0x61, 0xff, 0x0a, 0x62]).toString('latin1'); // a, non-UTF-8 byte, newline, b
  // As 0.1.0 saved it: a Map's entries in walk order, JSON as UTF-8.
  const entries = [
    ['', fp(1, 1n)],
    ['a', fp(2, 1n)],
    [`a/${odd}`, fp(4, 1n)],
    ['a/b', fp(3, 1n)],
    ['a-b', ''],
    [odd, fp(5, 1n)],
  ];
  const shuffled = [entries[3], entries[0], entries[5], entries[2], entries[4], entries[1]]; // any order
  fs.writeFileSync(file, JSON.stringify({ version: 1, commit: 'c1', root: undefined, entries: shuffled }));
  t.same(await loadManifest(file), {
    commit: 'c1',
    root: undefined,
    entries: joinEntries(
      entries.map((e) => e[0] as string),
      entries.map((e) => e[1] as string),
    ),
  });
});

t.test('other formats and broken files are ignored', async (t) => {
  const file = path.join(t.testdir(), 'm.json');
  fs.writeFileSync(file, JSON.stringify({ version: 3, commit: 'c1', entries: [['', 'x']] }));
  t.equal(await loadManifest(file), undefined, 'an unknown version');
  fs.writeFileSync(file, '{"version": 1, "commit":');
  t.equal(await loadManifest(file), undefined, 'half a version 1 file');
  fs.writeFileSync(file, `${JSON.stringify({ version: 2, commit: 'c1' })}\na\0${fp(1, 1n)}\0b`);
  t.equal(await loadManifest(file), undefined, 'a truncated list');
  t.equal(await loadManifest(path.join(t.testdir(), 'none')), undefined, 'a missing file');
});

t.test('the builder distrusts racy entries and merges the extra paths in walk order', async (t) => {
  const b = new ManifestBuilder();
  b.add('', fp(1, 10n));
  b.add('a', fp(2, 99n));
  b.add('a/z', fp(3, 10n));
  b.add('b', fp(4, 100n));
  b.addUntrusted(['', 'a', 'a/m', 'a/z', 'a!', 'c']);
  t.same(
    b.build('c1', 100n),
    {
      commit: 'c1',
      entries: joinEntries(
        ['', 'a', 'a/m', 'a/z', 'a!', 'b', 'c'],
        [fp(1, 10n), fp(2, 99n), '', fp(3, 10n), '', '', ''],
      ),
    },
    'ctime 100 and later is racy; extra paths come in untrusted, in walk order',
  );
});

t.test('a patch replays a walk over its base manifest', async (t) => {
  const base: Manifest = {
    commit: 'c1',
    entries: joinEntries(['', 'a', 'b', 'c', 'd'], [fp(1, 1n), fp(2, 1n), '', fp(4, 1n), fp(5, 1n)]),
  };
  // The walk met '', then a new 'a0', a changed 'b' (it was untrusted), no 'c', 'd' as it was, a new 'e'.
  const patch = new ManifestPatch(base);
  patch.put(2, 'a0', fp(6, 2n), false); // 'a' matched: the merge stands at 'b'
  patch.put(2, 'b', fp(3, 2n), true);
  patch.drop(3, 'c');
  patch.put(5, 'e', fp(7, 2n), false);
  t.same(patch.dropped, ['c'], 'the entries the walk did not meet');
  t.same(
    patch.builder().build('c1', 10n),
    {
      commit: 'c1',
      entries: joinEntries(
        ['', 'a', 'a0', 'b', 'd', 'e'],
        [fp(1, 1n), fp(2, 1n), fp(6, 2n), fp(3, 2n), fp(5, 1n), fp(7, 2n)],
      ),
    },
    'the base with every change applied, in walk order',
  );
});
