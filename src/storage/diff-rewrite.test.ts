// dvol diff on every driver for rewrites that keep a file's size: `echo world > file` over `hello`
// must count the rewritten bytes and say `content`, for working data and between two commits.
import fs from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
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
const LATER = new Date('2030-01-01T00:00:00Z');

async function collect(vol: Volume, from?: string, to?: string) {
  const diff = await vol.diff(from, to);
  const byPath = new Map<string, DiffEntry>();
  for await (const e of diff.entries) byPath.set(e.path.toString('latin1'), e);
  return { totals: diff.totals, byPath };
}

for (const driver of Object.keys(driverFactories) as DriverName[]) {
  const type = FILESYSTEM[driver];
  const skip = type ? ((await loopFsUnavailable(type)) ?? false) : false;
  t.test(`${driver}${type ? ` on ${type}` : ''}: same-size rewrites`, { skip }, async (t) => {
    let dir = t.testdir();
    if (type) {
      const loop = await createLoopFs(type);
      t.teardown(() => loop.dispose());
      dir = loop.mountpoint;
    }
    const store = await openStore(join(dir, 'state'), { defaultDriver: driver });
    t.teardown(() => store.close());
    await store.createVolume('vol');
    const vol = store.volume('vol');
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

    const check = (label: string, d: Awaited<ReturnType<typeof collect>>) => {
      t.match(
        d.byPath.get('file'),
        { status: 'M', sizeDelta: 0 },
        `${label}: the rewritten file is modified`,
      );
      t.same(d.byPath.get('file')?.changes, ['content', 'mtime'], `${label}: -v says content, then mtime`);
      t.same(d.byPath.get('touched')?.changes, ['mtime'], `${label}: a touch is only an mtime change`);
      t.same(
        d.byPath.get('chmodded')?.changes.slice().sort(),
        ['content', 'mode', 'mtime'],
        `${label}: new mode and bytes`,
      );
      t.ok(
        d.byPath.get('big')?.changes.includes('content'),
        `${label}: one byte in 1 MiB is a content change`,
      );
      t.equal(
        d.totals.bytesChanged,
        6 + 2 + 4 + (1 << 20),
        `${label}: bytes changed count every rewritten file whole, and nothing for the touch`,
      );
    };
    check('working data', await collect(vol));
    const c2 = await vol.commit({ message: 'world', author: AUTHOR });
    check('two commits', await collect(vol, c1.id, c2.id));
  });
}
