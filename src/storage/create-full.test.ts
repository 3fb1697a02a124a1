// Create on a full state filesystem: a driver probe that cannot write says the disk is full, not
// that the driver is unusable. A real 4 MiB tmpfs (which cannot make reflink copies either way).

import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { openStore } from './store.js';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;

t.test(
  'create on a full disk is no_space, with space it names the driver',
  { skip: !isRoot && 'mounting a tmpfs needs root' },
  async (t) => {
    const dir = join(t.testdir(), 'fs');
    await mkdir(dir);
    await run('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir]);
    try {
      const store = await openStore(join(dir, 'state'), { defaultDriver: 'reflink' });
      try {
        const fill = join(dir, 'fill');
        await writeFile(fill, Buffer.alloc(8 << 20)).catch(() => undefined);
        await t.rejects(store.createVolume('db'), {
          code: 'no_space',
          message: "no space left on the device while creating volume 'db'",
        });
        await rm(fill);
        await t.rejects(store.createVolume('db'), {
          code: 'unsupported',
          message: /^driver 'reflink' cannot be used here/,
        });
        t.same(await store.listVolumes(), [], 'nothing was made');
      } finally {
        await store.close();
      }
    } finally {
      await run('umount', [dir]);
    }
  },
);
