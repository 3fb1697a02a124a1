// dvol diff on every driver, each on the filesystem it needs: every kind of change appears exactly
// once with the right letter, for working data against HEAD and for two commits; same-size rewrites
// count their bytes and say `content`.
import fs from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { DiffEntry } from './drivers/diff-entry.js';
import { driverNames, type DriverName } from './drivers/index.js';
import { createLoopFs, loopFsUnavailable, type LoopFsType } from './drivers/loopfs.testkit.js';
import type { Volume } from './model.js';
import { openStore } from './store.js';
import { AUTHOR } from './store.testkit.js';

const FILESYSTEM: Record<DriverName, LoopFsType | undefined> = {
  plain: undefined,
  reflink: 'xfs',
  btrfs: 'btrfs',
};
const OLD = new Date('2020-01-01T00:00:00Z');
const LATIN = Buffer.from('caf\xe9', 'latin1');
const LATER = new Date('2030-01-01T00:00:00Z');

/** A path under the data directory, as bytes (names need not be UTF-8). */
const at = (dir: string, rel: string | Buffer) => Buffer.concat([Buffer.from(`${dir}/`), Buffer.from(rel)]);

function base(dir: string): void {
  for (const f of ['keep', 'gone', 'old-name', 'perm', 'own', 'file-to-dir', 'with space', 'nl\nname']) {
    fs.writeFileSync(at(dir, f), `${f} data`);
  }
  fs.writeFileSync(at(dir, 'edit'), 'abcdef');
  fs.utimesSync(at(dir, 'edit'), OLD, OLD);
  fs.writeFileSync(at(dir, LATIN), 'latin');
  fs.chmodSync(at(dir, 'perm'), 0o644);
  fs.symlinkSync('keep', at(dir, 'link'));
  fs.mkdirSync(at(dir, 'dir-to-file'));
  fs.writeFileSync(at(dir, 'dir-to-file/inner'), 'inner');
  fs.mkdirSync(at(dir, 'empty-gone'));
  fs.mkdirSync(at(dir, 'moved-dir'));
  fs.writeFileSync(at(dir, 'moved-dir/f'), 'f');
}

/** The changes, and the letter each changed path must get. */
function change(dir: string): Record<string, string> {
  fs.writeFileSync(at(dir, 'added'), 'new');
  fs.writeFileSync(at(dir, 'edit'), 'ABCDEF');
  fs.utimesSync(at(dir, 'edit'), OLD, OLD);
  fs.rmSync(at(dir, 'gone'));
  fs.renameSync(at(dir, 'old-name'), at(dir, 'new-name'));
  fs.chmodSync(at(dir, 'perm'), 0o600);
  fs.chownSync(at(dir, 'own'), 1234, 1234);
  fs.rmSync(at(dir, 'link'));
  fs.symlinkSync('edit', at(dir, 'link'));
  fs.rmSync(at(dir, 'file-to-dir'));
  fs.mkdirSync(at(dir, 'file-to-dir'));
  fs.writeFileSync(at(dir, 'file-to-dir/child'), 'child');
  fs.rmSync(at(dir, 'dir-to-file'), { recursive: true });
  fs.writeFileSync(at(dir, 'dir-to-file'), 'now a file');
  fs.writeFileSync(at(dir, 'with space'), 'with space, longer now');
  fs.rmSync(at(dir, 'nl\nname'));
  fs.writeFileSync(at(dir, LATIN), 'LATIN, longer');
  fs.rmdirSync(at(dir, 'empty-gone'));
  fs.mkdirSync(at(dir, 'empty-new'));
  fs.renameSync(at(dir, 'moved-dir'), at(dir, 'moved-to'));
  return {
    added: 'A',
    edit: 'M',
    gone: 'D',
    'old-name': 'D',
    'new-name': 'A',
    perm: 'M',
    own: 'M',
    link: 'M',
    'file-to-dir': 'T',
    'file-to-dir/child': 'A',
    'dir-to-file': 'T',
    'dir-to-file/inner': 'D',
    'with space': 'M',
    'nl\nname': 'D',
    [LATIN.toString('latin1')]: 'M',
    'empty-gone': 'D',
    'empty-new': 'A',
    'moved-dir': 'D',
    'moved-dir/f': 'D',
    'moved-to': 'A',
    'moved-to/f': 'A',
  };
}

async function collect(vol: Volume, from?: string, to?: string) {
  const diff = await vol.diff(from, to);
  const entries: DiffEntry[] = [];
  for await (const e of diff.entries) entries.push(e);
  return { diff, entries };
}

/** path (latin1) → letters seen, so a path reported twice shows up as two letters. */
function letters(entries: DiffEntry[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) out[e.path.toString('latin1')] = (out[e.path.toString('latin1')] ?? '') + e.status;
  return out;
}

async function scenario(t: Test, vol: Volume): Promise<void> {
  const dir = await vol.dataPath();
  const before = await collect(vol);
  t.equal(before.diff.from, null, 'no commit yet: compared with an empty tree');
  t.ok(
    before.entries.every((e) => e.status === 'A'),
    'everything is added',
  );
  base(dir);
  const c1 = await vol.commit({ message: 'base', author: AUTHOR });
  t.same((await collect(vol)).entries, [], 'nothing changed right after the commit');
  const expected = change(dir);
  const working = await collect(vol);
  t.same(letters(working.entries), expected, 'working data vs HEAD: each change once, right letter');
  const byPath = new Map(working.entries.map((e) => [e.path.toString('latin1'), e]));
  t.same(byPath.get('perm')?.changes, ['mode']);
  t.match(byPath.get('perm'), { from: { mode: 0o644 }, to: { mode: 0o600 } });
  t.match(byPath.get('own'), { changes: ['owner'], to: { uid: 1234, gid: 1234 } });
  t.same(byPath.get('edit')?.changes, ['content'], 'same size, same mtime: found by content');
  t.same(byPath.get('link')?.to?.target, Buffer.from('edit'), 'the new symlink target');
  t.equal(byPath.get('added')?.sizeDelta, 3);
  t.match(working.diff.totals, { added: 6, deleted: 7, typeChanged: 2, modified: 6 });
  t.equal(working.diff.to, null, 'the newer side is the working data');
  const c2 = await vol.commit({ message: 'changes', author: AUTHOR });
  const commits = await collect(vol, c1.id, c2.id);
  t.same(letters(commits.entries), expected, 'two commits: the same changes');
  t.same((await collect(vol, 'HEAD', 'working')).entries, [], 'clean after committing');
  const reverse = letters((await collect(vol, c2.id, c1.id)).entries);
  t.equal(reverse.added, 'D', 'reversed: an addition is a deletion');
  t.same((await collect(vol, 'HEAD^')).entries.length, commits.entries.length, 'REF vs working data');
}

/** Entries by path (latin1) and the totals of a diff. */
async function byPath(vol: Volume, from?: string, to?: string) {
  const { diff, entries } = await collect(vol, from, to);
  return { totals: diff.totals, byPath: new Map(entries.map((e) => [e.path.toString('latin1'), e])) };
}

/**
 * Rewrites that keep a file's size (`echo world > file` over `hello`) count the rewritten bytes and
 * say `content`, for working data and between two commits.
 */
async function rewrites(t: Test, vol: Volume): Promise<void> {
  const data = await vol.dataPath();
  fs.writeFileSync(join(data, 'file'), 'hello\n');
  fs.writeFileSync(join(data, 'touched'), 'same bytes\n');
  fs.writeFileSync(join(data, 'chmodded'), 'abc\n');
  fs.writeFileSync(join(data, 'big'), Buffer.alloc(1 << 20, 'a'));
  const c1 = await vol.commit({ message: 'hello', author: AUTHOR });

  // `echo world > file`, a new 2-byte file, an mtime-only touch, a rewrite with a new mode, and
  // one rewritten byte in the middle of a 1 MiB file.
  fs.writeFileSync(join(data, 'file'), 'world\n');
  fs.utimesSync(join(data, 'file'), LATER, LATER);
  fs.writeFileSync(join(data, 'new'), 'n\n');
  fs.utimesSync(join(data, 'touched'), LATER, LATER);
  fs.writeFileSync(join(data, 'chmodded'), 'xyz\n');
  fs.chmodSync(join(data, 'chmodded'), 0o600);
  const fd = fs.openSync(join(data, 'big'), 'r+');
  fs.writeSync(fd, 'b', 512 * 1024);
  fs.closeSync(fd);
  fs.utimesSync(join(data, 'big'), LATER, LATER);

  const check = (label: string, d: Awaited<ReturnType<typeof byPath>>) => {
    t.match(d.byPath.get('file'), { status: 'M', sizeDelta: 0 }, `${label}: the rewritten file is modified`);
    t.same(d.byPath.get('file')?.changes, ['content', 'mtime'], `${label}: -v says content, then mtime`);
    t.same(d.byPath.get('touched')?.changes, ['mtime'], `${label}: a touch is only an mtime change`);
    t.same(
      d.byPath.get('chmodded')?.changes.slice().sort(),
      ['content', 'mode', 'mtime'],
      `${label}: new mode and bytes`,
    );
    t.ok(d.byPath.get('big')?.changes.includes('content'), `${label}: one byte in 1 MiB is a content change`);
    t.equal(
      d.totals.bytesChanged,
      6 + 2 + 4 + (1 << 20),
      `${label}: bytes changed count every rewritten file whole, and nothing for the touch`,
    );
  };
  check('working data', await byPath(vol));
  const c2 = await vol.commit({ message: 'world', author: AUTHOR });
  check('two commits', await byPath(vol, c1.id, c2.id));
}

for (const driver of driverNames) {
  const type = FILESYSTEM[driver];
  const skip = type ? ((await loopFsUnavailable(type)) ?? false) : false;
  t.test(`${driver}${type ? ` on ${type}` : ''}`, { skip }, async (t) => {
    let dir = t.testdir();
    if (type) {
      const loop = await createLoopFs(type);
      t.teardown(() => loop.dispose());
      dir = loop.mountpoint;
    }
    const store = await openStore(join(dir, 'state'), { defaultDriver: driver });
    try {
      await store.createVolume('vol');
      await scenario(t, store.volume('vol'));
      await store.createVolume('rewrites');
      await t.test('same-size rewrites', (t) => rewrites(t, store.volume('rewrites')));
    } finally {
      await store.close();
    }
  });
}

t.test('stopping an iteration early releases the volume lock', async (t) => {
  const store = await openStore(join(t.testdir(), 'state'), { defaultDriver: 'plain' });
  t.teardown(() => store.close());
  await store.createVolume('vol');
  const vol = store.volume('vol');
  for (const f of ['a', 'b', 'c']) fs.writeFileSync(join(await vol.dataPath(), f), f);
  const diff = await vol.diff();
  for await (const e of diff.entries) {
    t.equal(e.status, 'A');
    break;
  }
  const unstarted = await vol.diff();
  t.ok(unstarted.entries, 'a diff never iterated holds nothing');
  t.equal((await vol.commit({ message: 'm', author: AUTHOR })).message, 'm', 'commit is not blocked');
  t.equal(diff.totals.added, 1, 'totals count what was read');
});
