// Both ways of reading xattrs (named entries in batches, whole trees at once) agree, for names with
// newlines, backslashes and bytes that are not UTF-8, and for dangling symlinks.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';

import { xattrsWork } from '../conformance/fixture.testkit.js';
import { rawPath, walkTree } from './walk.js';
import { readTreeXattrs, readXattrs } from './xattr.js';

const dir = t.testdir();
const supported = xattrsWork(dir);

t.test('batch and whole-tree reads agree', { skip: !supported && 'no user.* xattrs here' }, async (t) => {
  const names = ['plain', 'new\nline', 'back\\slash', 'sp ace'];
  for (const name of names) {
    fs.writeFileSync(path.join(dir, name), name);
    execFileSync('setfattr', ['-n', 'user.name', '-v', name.length.toString(), path.join(dir, name)]);
  }
  const bad = Buffer.concat([Buffer.from(`${dir}/`), Buffer.from([0x6e, 0xff, 0xfe])]);
  fs.writeFileSync(bad, 'x');
  fs.mkdirSync(path.join(dir, 'sub'));
  execFileSync('setfattr', ['-n', 'user.dir', '-v', '0x00ff', path.join(dir, 'sub')]);
  fs.writeFileSync(path.join(dir, 'sub', 'none'), '');
  fs.symlinkSync('/nowhere', path.join(dir, 'dangling'));
  // setfattr cannot name the non-UTF-8 file; find can (by inode).
  const ino = String(fs.statSync(bad).ino);
  execFileSync('find', [
    dir,
    '-maxdepth',
    '1',
    '-inum',
    ino,
    '-exec',
    'setfattr',
    '-n',
    'user.bad',
    '-v',
    '1',
    '{}',
    '+',
  ]);

  const paths: string[] = [];
  for await (const e of walkTree(dir)) paths.push(e.path);
  const batch = await readXattrs(paths.map((p) => rawPath(dir, p)));
  const tree = await readTreeXattrs(dir);
  t.same(
    paths.map((p) => tree.get(p) ?? ''),
    batch,
    'the same attributes for every entry',
  );
  t.match(tree.get('new\nline'), /user.name=0x38/, 'a name with a newline');
  t.match(tree.get('back\\slash'), /user.name=/, 'a name with a backslash');
  t.match(tree.get(Buffer.from([0x6e, 0xff, 0xfe]).toString('latin1')), /user.bad=0x31/, 'a non-UTF-8 name');
  t.equal(tree.get('sub'), 'user.dir=0x00ff', 'a directory');
  t.equal(tree.get('sub/none'), undefined, 'entries without xattrs are absent');
});
