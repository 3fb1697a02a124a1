// dvol diff on every driver, each on the filesystem it needs: every kind of change appears exactly
// once with the right letter, for working data against HEAD and for two commits.
import fs from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { DiffEntry } from './drivers/diff-entry.js';
import type { DriverName } from './drivers/driver.js';
import { driverFactories } from './drivers/index.js';
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

for (const driver of Object.keys(driverFactories) as DriverName[]) {
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
