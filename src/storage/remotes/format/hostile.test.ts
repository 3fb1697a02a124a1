// A remote is not trusted: an index that would write outside the target, through a symlink or with
// '..', or that overruns a file, is refused as 'corrupt' before anything is written.

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';

import { openLayoutStore } from '../layout/store.js';
import { HOLE } from './blocks.js';
import { pushCommit } from './commit.js';
import type { IndexEntry } from './entry.js';
import { buildIndex } from './index-tree.js';
import { restoreTree } from './restore.js';

const dir = (p: string): IndexEntry => ({ path: p, mode: 0o40755, uid: 0, gid: 0, mtime: '0', size: 0 });
const file = (p: string, size: number): IndexEntry => ({
  path: p,
  mode: 0o100644,
  uid: 0,
  gid: 0,
  mtime: '0',
  size,
  blocks: Buffer.concat(Array.from({ length: Math.ceil(size / 16384) }, () => HOLE)),
});

const cases: [string, IndexEntry[]][] = [
  [
    'a file below a symlink',
    [dir(''), { ...dir('l'), mode: 0o120777, target: '/tmp' }, file('l/escaped', 10)],
  ],
  ["a path with '..'", [dir(''), dir('d'), file('d/../../escaped', 10)]],
  ['an absolute path', [dir(''), file('/escaped', 10)]],
  ['a file before its directory', [dir(''), file('d/f', 10), dir('d')]],
  ['a block list shorter than the file', [dir(''), { ...file('f', 10), size: 1 << 20 }]],
  ['a root that is not a directory', [file('', 10)]],
];

for (const [name, entries] of cases) {
  t.test(`an index with ${name} is refused`, async (t) => {
    const root = t.testdir();
    const store = await openLayoutStore(path.join(root, 'remote'));
    const index = buildIndex(entries, 16384);
    for (const b of [index.root, ...index.leaves]) await store.putBlob(b.descriptor.digest, b.bytes);
    const tree = {
      index: index.root.descriptor,
      indexBlobs: [index.root.descriptor, ...index.leaves.map((l) => l.descriptor)],
      packs: [],
      blockSize: 16384,
      stats: {} as never,
    };
    const commit = {
      id: 'a'.repeat(40),
      parents: [],
      message: 'm',
      author: 'A <a@b.c>',
      date: '2026-12-01T00:00:00Z',
    };
    const m = await pushCommit(store, { commit, tree });
    const target = path.join(root, 'out');
    await t.rejects(restoreTree(store, m.digest, target), { code: 'corrupt' });
    t.notOk(fs.existsSync(target), 'no target');
    t.notOk(fs.existsSync('/tmp/escaped') || fs.existsSync(path.join(root, 'escaped')), 'nothing escaped');
  });
}
