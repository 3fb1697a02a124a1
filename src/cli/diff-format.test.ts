// The text of dvol diff: quoting of awkward paths, signed sizes, -v lines and the seed's summary.
import t from 'tap';
import { bytesToText, entryToWire } from '../storage/diff-json.js';
import { entryLine, quotePath, signedSize, summaryLines } from './diff-format.js';

const side = { mode: 0o644, uid: 0, gid: 0, size: 3, mtime: '2020-01-01T00:00:00.000000000Z' };

t.test('paths are quoted like git only when they need it', async (t) => {
  t.equal(quotePath({ path: 'plain name' }), 'plain name', 'spaces need no quoting');
  t.equal(quotePath({ path: 'new\nline' }), '"new\\nline"');
  t.equal(quotePath({ path: 'a"b\\c' }), '"a\\"b\\\\c"');
  t.equal(quotePath({ path: 'caf\u00e9' }), 'caf\u00e9', 'UTF-8 is printed as is');
  const latin = bytesToText(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x5c]));
  t.same(latin, {
    text: 'caf\\xe9\\x5c',
    base64: Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x5c]).toString('base64'),
  });
  t.equal(
    quotePath({ path: latin.text, pathBase64: latin.base64 }),
    '"caf\\xe9\\x5c"',
    'not UTF-8: escaped bytes',
  );
  t.equal(quotePath({ path: '' }), '.', 'the root');
});

t.test('sizes, -v lines and the summary', async (t) => {
  t.equal(signedSize(1500), '+1.5kB');
  t.equal(signedSize(-9), '-9B');
  t.equal(signedSize(0), '0B');
  const chown = entryToWire({
    path: Buffer.from('own'),
    status: 'M',
    from: { type: 'file', ...side },
    to: { type: 'file', ...side, uid: 1000, gid: 1000 },
    sizeDelta: 0,
    changes: ['owner'],
  });
  t.equal(entryLine(chown), 'M       0B  own  (owner 0:0 -> 1000:1000)');
  const type = entryToWire({
    path: Buffer.from('x'),
    status: 'T',
    from: { type: 'file', ...side },
    to: { type: 'dir', ...side, size: 0 },
    sizeDelta: -3,
    changes: [],
  });
  t.equal(entryLine(type), 'T      -3B  x/  (file -> dir)');
  const link = entryToWire({
    path: Buffer.from('l'),
    status: 'M',
    from: { type: 'symlink', ...side, size: 1, target: Buffer.from('a') },
    to: { type: 'symlink', ...side, size: 1, target: Buffer.from('b') },
    sizeDelta: 0,
    changes: ['target'],
  });
  t.equal(entryLine(link), 'M       0B  l  (target "a" -> "b")');
  const totals = { added: 1, modified: 0, deleted: 0, typeChanged: 0, bytesChanged: 200_000 };
  t.same(summaryLines('"import base schema"', 'latest uncommitted changes', totals), [
    '200kB has changed between "import base schema" and latest uncommitted changes.  Use dvol diff -v to show changed files.',
    '1 path: 1 added, 0 modified, 0 deleted.',
  ]);
});
