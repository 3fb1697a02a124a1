// The emptiness rule of a new store: a fresh filesystem's lost+found, the lock and the CLI socket's
// directory do not count; anything else without format.json is refused, named.

import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { createLoopFs, loopFsUnavailable } from './drivers/loopfs.testkit.js';
import { NotAStoreError } from './format.js';
import { openStore } from './store.js';

async function opensAsNewStore(t: Test, root: string): Promise<void> {
  const store = await openStore(root, { defaultDriver: 'plain' });
  await store.close();
  t.same(JSON.parse(await readFile(join(root, 'format.json'), 'utf8')), { format: 'dvol-store', version: 1 });
}

/** A real unix socket at `path`, as the server's CLI socket is, closed (and unlinked) at teardown. */
async function socketAt(t: Test, path: string): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return server;
}

t.test(
  'the root of a fresh ext4 filesystem (only lost+found) is an empty state directory',
  {
    skip: (await loopFsUnavailable('ext4')) ?? false,
  },
  async (t) => {
    const loop = await createLoopFs('ext4', 64 * 1024 ** 2);
    t.teardown(loop.dispose);
    t.same(await readdir(loop.mountpoint), ['lost+found'], 'mkfs.ext4 made lost+found');
    await opensAsNewStore(t, loop.mountpoint);
    t.ok((await readdir(loop.mountpoint)).includes('lost+found'), 'lost+found is left alone');
  },
);

t.test("dvol's own entries before format.json do not count", async (t) => {
  // Not t.testdir(): a unix socket path must fit in 107 bytes.
  const root = await mkdtemp(join(tmpdir(), 'dvol-format-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, 'lost+found'));
  await mkdir(join(root, 'run'));
  await socketAt(t, join(root, 'run', 'dvol.sock'));
  await opensAsNewStore(t, root);
});

t.test('anything else is refused, named, and left as it was', async (t) => {
  const dir = t.testdir({
    foreign: { 'lost+found': {}, 'notes.txt': 'mine' },
    recovered: { 'lost+found': { '#12': 'what fsck found' } },
    runfile: { run: { 'dvol.sock': 'a regular file, not our socket' } },
    rundir: { run: { other: 'x' } },
    many: { a: '', b: '', c: '', d: '', e: '' },
  });
  const refused: [string, RegExp][] = [
    ['foreign', /it holds 'notes\.txt'\)$/],
    ['recovered', /it holds 'lost\+found'\)$/],
    ['runfile', /it holds 'run'\)$/],
    ['rundir', /it holds 'run'\)$/],
    ['many', /it holds 'a', 'b', 'c' and 2 more\)$/],
  ];
  for (const [name, holds] of refused) {
    const root = join(dir, name);
    const before = (await readdir(root)).sort();
    const err = await openStore(root).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.type(err, NotAStoreError, `${name}: not a store`);
    t.match(err, {
      code: 'corrupt',
      message: /is not empty and has no format\.json/,
      hint: /remove what is not dvol's/,
    });
    t.match((err as Error).message, holds, `${name}: the refusal names what is foreign`);
    t.same((await readdir(root)).sort(), before, `${name}: nothing written, the lock released`);
  }
  await mkdir(join(dir, 'foreign', 'run'));
  await writeFile(join(dir, 'foreign', 'run', 'x'), '');
  t.match((await openStore(join(dir, 'foreign')).catch((e: Error) => e)) as Error, {
    message: /it holds 'notes\.txt', 'run'\)$/,
  });
});
